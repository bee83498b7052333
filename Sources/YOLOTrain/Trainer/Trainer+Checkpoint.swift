import Foundation
import YOLOEngine
import YOLOFormats
import YOLOModel

extension Trainer {
    /// `train_results`: results.csv as {column: values} (epochs as integers, like the reference's CSV reader).
    func trainResultsTerm(_ columns: [(String, [Double])]) -> [(String, PickleTerm)] {
        columns.map { name, values in
            (name, .list(values.map { name == "epoch" ? .int(Int($0)) : .float($0) }))
        }
    }

    /// Writes this epoch's checkpoint (spec §2.14) once and copies the bytes to last.pt, to best.pt when this
    /// epoch's fitness equals the best, and to epoch{N}.pt every `save_period` epochs; each write is atomic.
    func saveCheckpoint(epoch: Int) throws {
        let metricsTerm = metrics.map { ($0.0, PickleTerm.float($0.1)) } + [("fitness", fitness.map(PickleTerm.float) ?? .none)]
        let contents = UltralyticsCheckpointContents.training(
            epoch: epoch, bestFitness: bestFitness, stopper: (stopper.bestFitness, stopper.bestEpoch), ema: ema.ema,
            updates: ema.updates, optimizer: PickleTerm(optimizer.stateDict()),
            trainArgs: args.entries.map { ($0.key, PickleTerm(config: $0.value)) },
            trainMetrics: metricsTerm, trainResults: trainResultsTerm(csv.read()))
        let bytes = try contents.encoded()
        try AtomicFile.write(bytes, to: lastURL)
        if bestFitness == fitness { try AtomicFile.write(bytes, to: bestURL) }
        if let period = args.int("save_period"), period > 0, epoch % period == 0 {
            try AtomicFile.write(bytes, to: weightsDir.appendingPathComponent("epoch\(epoch).pt"))
        }
    }

    /// The reference's `strip_optimizer`: the file keeps the EMA as `model` in fp16, loses the optimizer, EMA,
    /// updates, best fitness, stopper and scaler, gets epoch −1 and `train_args` reduced to the default keys.
    func stripCheckpoint(_ url: URL, trainResults: [(String, [Double])]) throws {
        let file = try TorchFile.load(url)
        let net = try YOLONetwork(checkpoint: UltralyticsCheckpoint(torchFile: file))
        var merged = TrainArguments(TrainArguments.defaults)
        for (k, v) in file.root["train_args"]?.dictValue ?? [] {
            if let key = k.stringValue, DefaultConfig.contains(key) { merged[key] = ConfigNode(pickle: v) }
        }
        let metrics = (file.root["train_metrics"]?.dictValue ?? []).compactMap { k, v in k.stringValue.map { ($0, PickleTerm(v)) } }
        let contents = UltralyticsCheckpointContents.stripped(
            model: net, trainArgs: merged.entries.map { ($0.key, PickleTerm(config: $0.value)) },
            trainMetrics: metrics, trainResults: trainResultsTerm(trainResults))
        try contents.write(to: url)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        log("Optimizer stripped from \(url.path), \(String(format: "%.1f", Double(size) / 1e6))MB")
    }

    /// NaN recovery (spec §2.13): reloads last.pt's EMA weights into the model, and its optimizer, EMA and stopper.
    func recoverFromLast() throws {
        guard FileManager.default.fileExists(atPath: lastURL.path) else {
            throw TrainError.nonFinite("Loss NaN/Inf detected but no valid last.pt is available for recovery")
        }
        let file = try TorchFile.load(lastURL)
        let saved = try YOLONetwork(checkpoint: UltralyticsCheckpoint(torchFile: file))
        guard saved.stateDict().allSatisfy({ $0.1.toArray().allSatisfy(\.isFinite) }) else {
            throw TrainError.nonFinite("Checkpoint \(lastURL.path) is corrupted with NaN/Inf weights")
        }
        model.copyState(from: saved)
        let state = Trainer.resumeState(file.root)
        ema = ModelEMA(model, updates: state.updates)
        if let opt = state.optimizer, opt.isTruthy { try optimizer.load(stateDict: opt) }
        bestFitness = state.bestFitness
        stopper.bestFitness = state.stopperBestFitness
        stopper.bestEpoch = state.stopperBestEpoch
    }
}
