import Foundation
import YOLOFormats
import YOLOModel

/// What a training checkpoint carries besides the weights, for `resume`.
struct ResumeState {
    var epoch: Int
    var bestFitness: Double?
    var stopperBestFitness: Double
    var stopperBestEpoch: Int
    var updates: Int
    var optimizer: PickleValue?
}

extension Trainer {
    /// Keys a resumed run takes from the command line; every other override is ignored with a warning.
    static let resumeOverridable: Set<String> = ["imgsz", "batch", "device", "close_mosaic", "augmentations", "save_period",
                                                  "workers", "cache", "patience", "time", "freeze", "val", "plots",
                                                  "channels_last", "distill_model", "save_dir"]

    /// Whether a checkpoint can be resumed (it was saved during training: epoch ≥ 0 and an optimizer state).
    static func isResumable(_ url: URL) -> Bool {
        guard let file = try? TorchFile.load(url) else { return false }
        return (file.root["epoch"]?.intValue ?? -1) >= 0 && (file.root["optimizer"].map { $0.isTruthy } ?? false)
    }

    /// The most recently changed `last*.pt` below `directory` (the reference's `get_latest_run`).
    static func latestRun(in directory: URL) -> URL? {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.contentModificationDateKey],
                                                          options: [.skipsHiddenFiles]) else { return nil }
        var best: (URL, Date)?
        for case let url as URL in walker where url.lastPathComponent.hasPrefix("last") && url.pathExtension == "pt" {
            var st = stat()
            guard stat(url.path, &st) == 0 else { continue }
            let changed = Date(timeIntervalSince1970: Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9)
            if best == nil || changed > best!.1 { best = (url, changed) }
        }
        return best?.0
    }

    /// Applies `resume` as the reference does: `resume=<path>` resumes that checkpoint; `resume=True` resumes the
    /// `model` checkpoint when it is a resumable training checkpoint (else warns and starts a new run, as
    /// `YOLO(model).train(resume=True)` does), or, without a `.pt` model, the latest `last*.pt` under the working
    /// directory. The resumed run takes the checkpoint's arguments, then the allowed overrides.
    static func resolveResume(args: TrainArguments, overrides: [(key: String, value: ConfigNode)],
                              log: (String) -> Void) throws -> (args: TrainArguments, checkpoint: URL?) {
        var target: URL?
        switch args["resume"] {
        case .string(let path) where !["true", "false"].contains(path.lowercased()):
            guard FileManager.default.fileExists(atPath: path) else { throw TrainError.resumeNotFound(path) }
            target = URL(fileURLWithPath: path)
        case let v where v.isTruthy:
            if let model = args.string("model"), model.hasSuffix(".pt") {
                let url = URL(fileURLWithPath: model)
                guard FileManager.default.fileExists(atPath: model) else { throw TrainError.resumeNotFound(model) }
                if isResumable(url) {
                    target = url
                } else {
                    Log.warning("model '\(model)' is not a resumable training checkpoint (missing epoch/optimizer state). Use 'resume' only to continue incomplete training. Starting new training instead.")
                    var a = args
                    a["resume"] = .bool(false)
                    return (a, nil)
                }
            } else {
                guard let latest = latestRun(in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) else {
                    throw TrainError.resumeNotFound(nil)
                }
                target = latest
            }
        default:
            return (args, nil)
        }
        guard let url = target else { return (args, nil) }
        let file: TorchFile
        do { file = try TorchFile.load(url) } catch { throw TrainError.resumeNotFound("\(url.path)' (\(error)") }
        guard case .dict(let items)? = file.root["train_args"] else { throw TrainError.resumeNotFound(url.path) }
        var resumed = TrainArguments(args.entries)
        for (k, v) in items { if let key = k.stringValue { resumed[key] = ConfigNode(pickle: v) } }
        if let d = args.string("data") { resumed["data"] = .string(d) }
        resumed["model"] = .string(url.path)
        resumed["resume"] = .string(url.path)
        var ignored: [String] = []
        for (k, v) in overrides {
            if resumeOverridable.contains(k) { resumed[k] = v }
            else if !["model", "data", "mode", "resume", "pretrained", "task"].contains(k), resumed[k] != v { ignored.append(k) }
        }
        if !ignored.isEmpty {
            Log.warning("Resume ignores \(TrainArguments.pyStr(.list(ignored.map { .string($0) }))), using checkpoint values. Start a new run to change them.")
        }
        return (resumed, url)
    }

    /// Reads the training state of the resume checkpoint.
    static func resumeState(_ root: PickleValue) -> ResumeState {
        ResumeState(epoch: root["epoch"]?.intValue ?? -1,
                    bestFitness: root["best_fitness"]?.doubleValue,
                    stopperBestFitness: root["stopper"]?["best_fitness"]?.doubleValue ?? 0,
                    stopperBestEpoch: root["stopper"]?["best_epoch"]?.intValue ?? 0,
                    updates: root["updates"]?.intValue ?? 0,
                    optimizer: root["optimizer"])
    }
}

extension Trainer {
    /// Loads the resume checkpoint's optimizer state, EMA update count, best fitness and stopper, and sets the
    /// start epoch (the model and the EMA already hold the checkpoint's EMA weights).
    func restore(_ state: ResumeState) throws {
        if let opt = state.optimizer, opt.isTruthy {
            do { try optimizer.load(stateDict: opt) } catch {
                throw TrainError.incompatible("\(resumeCheckpoint?.path ?? "checkpoint"): \(error)")
            }
        }
        ema.updates = state.updates
        bestFitness = state.bestFitness
        stopper.bestFitness = state.stopperBestFitness
        stopper.bestEpoch = state.stopperBestEpoch
        startEpoch = state.epoch + 1
        // Rows of epochs after the checkpoint (written before a crash) are redone, so drop them.
        let rows = csv.read()
        if let epochs = rows.first(where: { $0.0 == "epoch" })?.1, epochs.contains(where: { Int($0) > startEpoch }),
           let text = try? String(contentsOf: csv.url, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.enumerated().filter { i, line in
                i == 0 || line.isEmpty || (Int(line.split(separator: ",").first ?? "") ?? 0) <= startEpoch
            }.map(\.element)
            try Data(kept.joined(separator: "\n").utf8).write(to: csv.url, options: .atomic)
        }
    }
}
