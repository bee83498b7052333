import Foundation
import YOLOFormats

/// One Ultralytics 8.4 checkpoint's top-level dict, written in the reference's key order.
///
/// Two layouts exist. A training checkpoint (`last.pt` / `best.pt` / `epochN.pt` while training) holds `model: None`
/// and the fp16 EMA with `updates`, the optimizer state, the early-stopper state and `scaler: {}`. A stripped
/// checkpoint (after training, or `YOLONetwork.save(to:)`) holds the fp16 model, `epoch: -1`, and None for the
/// optimizer, EMA, updates, best fitness, stopper and scaler. Ultralytics loads `ema` when it is set, else `model`.
public struct UltralyticsCheckpointContents {
    /// The key order of the two kinds of checkpoint.
    public enum Layout: Sendable {
        /// `epoch, best_fitness, stopper, model, ema, updates, modelopt, optimizer, scaler, train_args,
        /// train_metrics, train_results, date, version, git, license, docs` (the trainer's `save_model`).
        case training
        /// `date, version, license, docs` first, then the training keys without them (`strip_optimizer`).
        case stripped
    }

    public var layout: Layout
    /// 0-based epoch index; −1 once stripped.
    public var epoch: Int
    /// Best fitness so far (None once stripped).
    public var bestFitness: Double?
    /// `{"best_fitness": …, "best_epoch": …}` of the early stopper, or None.
    public var stopper: PickleTerm
    /// The raw model (None in training checkpoints: they resume from the EMA).
    public var model: YOLONetwork?
    /// The EMA model.
    public var ema: YOLONetwork?
    /// EMA update count.
    public var updates: Int?
    /// Quantization state (always None here).
    public var modelopt: PickleTerm = .none
    /// The optimizer `state_dict()` built by the trainer: `{"state": {index: {"step": tensor, "exp_avg": …}},
    /// "param_groups": [{…, "params": [indices]}]}` with tensors as `.tensor(StoredTensor)` (Ultralytics keeps
    /// `step`, `exp_avg`, `exp_avg_sq` in float32 and converts other float32 state to float16), or None.
    public var optimizer: PickleTerm
    /// The AMP GradScaler state: `{}` while training on the CPU, None once stripped.
    public var scaler: PickleTerm
    /// `train_args`: every training argument, in the default configuration's order (see `PickleTerm` literals).
    public var trainArgs: [(String, PickleTerm)]
    /// `train_metrics`: validation metrics and losses plus `fitness`.
    public var trainMetrics: [(String, PickleTerm)]
    /// `train_results`: results.csv as column → list of values.
    public var trainResults: [(String, PickleTerm)]
    /// `model.args` of the pickled networks; nil means `trainArgs`, or the network's own `args` when that is empty.
    public var modelArgs: [(String, PickleTerm)]?
    /// ISO-8601 local time with microseconds and UTC offset, like Python's `datetime.now().astimezone().isoformat()`.
    public var date: String
    /// The Ultralytics version the file claims to come from.
    public var version: String
    /// `{"root", "branch", "commit", "message", "origin"}`.
    public var git: PickleTerm
    public var license: String
    public var docs: String
    /// How `model` and `ema` are pickled (fp16, eval mode, frozen; `args` as a namespace in training checkpoints).
    public var modelFormat: UltralyticsModelFormat

    /// The version string written by default: the Ultralytics release whose format this reproduces.
    public static let defaultVersion = "8.4.190"
    /// The license string Ultralytics' trainer writes.
    public static let defaultLicense = "AGPL-3.0 (https://ultralytics.com/license)"
    public static let defaultDocs = "https://docs.ultralytics.com"
    /// The git info of a run outside a repository (`root` is the string "None" there, the rest None).
    public static let noGit: PickleTerm = ["root": "None", "branch": nil, "commit": nil, "message": nil, "origin": nil]

    /// A checkpoint as the trainer writes it after each epoch: `model` None, the EMA (fp16, eval mode, frozen, `args`
    /// as a namespace), its update count, the optimizer state, `stopper` = the early stopper's best fitness and epoch.
    public static func training(epoch: Int, bestFitness: Double?, stopper: (bestFitness: Double, bestEpoch: Int),
                                ema: YOLONetwork, updates: Int, optimizer: PickleTerm, trainArgs: [(String, PickleTerm)],
                                trainMetrics: [(String, PickleTerm)], trainResults: [(String, PickleTerm)],
                                date: Date = Date()) -> UltralyticsCheckpointContents {
        UltralyticsCheckpointContents(
            layout: .training, epoch: epoch, bestFitness: bestFitness,
            stopper: ["best_fitness": .float(stopper.bestFitness), "best_epoch": .int(stopper.bestEpoch)], model: nil,
            ema: ema, updates: updates, optimizer: optimizer, scaler: .dict([]), trainArgs: trainArgs,
            trainMetrics: trainMetrics, trainResults: trainResults, modelArgs: nil, date: Self.timestamp(date),
            version: Self.defaultVersion, git: Self.noGit, license: Self.defaultLicense, docs: Self.defaultDocs,
            modelFormat: UltralyticsModelFormat(argsAsNamespace: true))
    }

    /// A stripped checkpoint: `model` in fp16 (no optimizer, EMA, updates or best fitness; epoch −1).
    /// `trainArgs` defaults to the network's own `args`.
    public static func stripped(model: YOLONetwork, trainArgs: [(String, PickleTerm)]? = nil,
                                trainMetrics: [(String, PickleTerm)] = [], trainResults: [(String, PickleTerm)] = [],
                                date: Date = Date()) -> UltralyticsCheckpointContents {
        UltralyticsCheckpointContents(
            layout: .stripped, epoch: -1, bestFitness: nil, stopper: .none, model: model, ema: nil, updates: nil,
            optimizer: .none, scaler: .none, trainArgs: trainArgs ?? model.orderedArgs, trainMetrics: trainMetrics,
            trainResults: trainResults, modelArgs: nil, date: Self.timestamp(date), version: Self.defaultVersion,
            git: Self.noGit, license: Self.defaultLicense, docs: Self.defaultDocs, modelFormat: UltralyticsModelFormat())
    }

    /// The whole checkpoint as a pickle term. `file` names the destination in errors.
    /// Ultralytics reads the task from `train_args` (merged over its defaults, whose task is "detect") before it
    /// looks at the model, so `task` is added when the arguments lack it.
    public func term(file: String = "checkpoint") throws -> PickleTerm {
        let task = (ema ?? model)?.task
        func withTask(_ args: [(String, PickleTerm)]) -> [(String, PickleTerm)] {
            guard let task, !args.contains(where: { $0.0 == "task" }) else { return args }
            return [("task", .string(task))] + args
        }
        let trainArgs = withTask(self.trainArgs)
        func network(_ net: YOLONetwork?) throws -> PickleTerm {
            guard let net else { return .none }
            let args = modelArgs ?? (self.trainArgs.isEmpty ? net.orderedArgs : self.trainArgs)
            return try net.ultralyticsModelTerm(args: withTask(args), format: modelFormat, file: file)
        }
        let body: [(String, PickleTerm)] = [
            ("epoch", .int(epoch)),
            ("best_fitness", bestFitness.map(PickleTerm.float) ?? .none),
            ("stopper", stopper),
            ("model", try network(model)),
            ("ema", try network(ema)),
            ("updates", updates.map(PickleTerm.int) ?? .none),
            ("modelopt", modelopt),
            ("optimizer", optimizer),
            ("scaler", scaler),
            ("train_args", .stringDict(trainArgs)),
            ("train_metrics", .stringDict(trainMetrics)),
            ("train_results", .stringDict(trainResults)),
        ]
        let items: [(String, PickleTerm)]
        switch layout {
        case .training:
            items = body + [("date", .string(date)), ("version", .string(version)), ("git", git),
                            ("license", .string(license)), ("docs", .string(docs))]
        case .stripped:
            items = [("date", .string(date)), ("version", .string(version)), ("license", .string(license)),
                     ("docs", .string(docs))] + body + [("git", git)]
        }
        return .stringDict(items)
    }

    /// The file's bytes as `torch.save` writes them to a buffer (root folder "archive"), e.g. to write the same
    /// bytes to `last.pt` and `best.pt` with `AtomicFile.write(_:to:)`, as the trainer does.
    public func encoded(archiveName: String = "archive") throws -> Data {
        try TorchSave.encode(term(), archiveName: archiveName)
    }

    /// Writes the checkpoint atomically (temporary file in the same folder, fsync, rename): a crash at any moment
    /// leaves the previous file intact. The archive folder defaults to torch's for this path (the file stem).
    public func write(to url: URL, archiveName: String? = nil) throws {
        try TorchSave.write(term(file: url.lastPathComponent), to: url, archiveName: archiveName)
    }

    /// `datetime.now().astimezone().isoformat()`: local time, microseconds, `±HH:MM` offset.
    public static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var micros = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        if micros >= 1_000_000 { whole += 1; micros -= 1_000_000 }
        var t = tm()
        localtime_r(&whole, &t)
        let offset = t.tm_gmtoff / 60
        let sign = offset < 0 ? "-" : "+"
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
                          Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
        let fraction = micros == 0 ? "" : String(format: ".%06d", micros)
        return base + fraction + sign + String(format: "%02d:%02d", abs(offset) / 60, abs(offset) % 60)
    }
}
