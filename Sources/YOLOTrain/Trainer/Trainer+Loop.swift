import Foundation
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTensor

extension Trainer {
    /// Runs the whole training (spec §2.8–2.15) and returns where the results are.
    public func train() throws -> TrainResult {
        do { try setup() } catch {
            discardNewRunFolder()
            throw error
        }
        let nb = trainLoader.count
        var warmup = Warmup(warmupEpochs: args.double("warmup_epochs") ?? 3, epochs: epochs, batches: nb)
        var lastOptStep = -1
        let acc0 = accumulate
        log("Using \(trainLoader.scan.images.count) train, \(valImageCount) val images for fraction=\(TrainArguments.pyStr(args["fraction"])) at imgsz=\(imgsz)")
        log("Using 0 dataloader workers")
        if ProcessInfo.processInfo.environment["YOLO_PROFILE"] == "1" {
            log("profile: \(trainLoader.workers) background batch workers")
        }
        log("Logging results to \u{1B}[1m\(saveDir.path)\u{1B}[0m")
        log("Starting training for " + (args.isNone("time") ? "\(epochs) epochs..." : "\(TrainArguments.pyStr(args["time"])) hours..."))
        let plots = args.bool("plots") && communicator.isMain
        if plots { plotTrainingLabels() }
        let plotIndices = plots ? trainPlotIndices(batches: nb) : []
        let closeMosaic = args.int("close_mosaic") ?? 10
        var mosaicClosed = closeMosaic == 0
        var epoch = startEpoch
        var stop = false
        var nanRecoveries = 0
        optimizer.zeroGrad()
        var epochStart = Date()
        while true {
            if !mosaicClosed && epoch >= epochs - closeMosaic {
                mosaicClosed = true
                log("Closing dataloader mosaic")
                try trainLoader.closeMosaic()
                for loader in simulatedLoaders { try loader.closeMosaic() }
            }
            setTrainMode()
            let tloss = try trainEpoch(epoch, nb: nb, warmup: warmup, acc0: acc0, plotIndices: plotIndices,
                                       lastOptStep: &lastOptStep, stop: &stop)
            let lrs = optimizer.groups.map(\.lr)
            let finalEpoch = epoch + 1 >= epochs
            // Rank 0 validates, writes and decides; the other ranks follow its decision.
            var decision = EpochDecision(stop: stop, recover: false, epochs: epochs)
            var row: [(String, Double)] = []
            if communicator.isMain {
                if args.bool("val") || finalEpoch || stopper.possibleStop || stop {
                    (metrics, fitness) = try validate(final: finalEpoch)
                }
                // NaN recovery: reload last.pt and redo the epoch (at most 3 times), as the reference does.
                if !(tloss.allSatisfy(\.isFinite)) || !(fitness.map(\.isFinite) ?? true) {
                    let reason = tloss.allSatisfy(\.isFinite) ? "Fitness NaN/Inf" : "Loss NaN/Inf"
                    if epoch == startEpoch {
                        Log.warning("\(reason) detected but can not recover from last.pt...")
                    } else {
                        nanRecoveries += 1
                        guard nanRecoveries <= 3 else { throw TrainError.nonFinite("Training failed: NaN persisted for \(nanRecoveries) epochs") }
                        Log.warning("\(reason) detected (attempt \(nanRecoveries)/3), recovering from last.pt...")
                        decision.recover = true
                    }
                }
            }
            if !decision.recover && communicator.isMain {
                nanRecoveries = 0
                row = zip(LossGains.itemNames, tloss).map { ("train/\($0.0)", round5($0.1)) }
                row += metrics
                row += lrs.enumerated().map { ("lr/pg\($0.offset)", $0.element) }
                let elapsed = Date().timeIntervalSince(trainStart)
                try csv.append(epoch: epoch + 1, time: elapsed, columns: row)
                stop = stopper.update(epoch: epoch + 1, fitness: fitness) || finalEpoch || stop
                if stop && !finalEpoch && stopper.patience > 0 && epoch + 1 - stopper.bestEpoch >= stopper.patience {
                    log("\u{1B}[34m\u{1B}[1mEarlyStopping: \u{1B}[0mTraining stopped early as no improvement observed in last \(stopper.patience) epochs. Best results observed at epoch \(stopper.bestEpoch), best model saved as best.pt.\nTo update EarlyStopping(patience=\(stopper.patience)) pass a new patience value, i.e. `patience=300` or use `patience=0` to disable EarlyStopping.")
                }
                if let hours = args.double("time") {
                    stop = stop || elapsed > hours * 3600
                }
                if args.bool("save") || finalEpoch { try saveCheckpoint(epoch: epoch) }
                if let hours = args.double("time") {
                    let mean = Date().timeIntervalSince(trainStart) / Double(epoch - startEpoch + 1)
                    epochs = max(Int((hours * 3600 / mean).rounded(.up)), 1)
                    stop = stop || epoch >= epochs
                }
                decision.stop = stop
                decision.epochs = epochs
            }
            decision = try share(decision)
            if decision.recover {
                // Every rank reloads last.pt (the run folder must be reachable from every rank).
                try recoverFromLast()
                lastOptStep = -1
                optimizer.zeroGrad()
                continue
            }
            stop = decision.stop
            if decision.epochs != epochs || args.double("time") != nil {
                epochs = decision.epochs
                args["epochs"] = .int(epochs)
                warmup = Warmup(warmupEpochs: args.double("warmup_epochs") ?? 3, epochs: epochs, batches: nb)
                schedule.epochs = epochs
            }
            let now = Date()
            epochStart = now
            let summary = EpochSummary(epoch: epoch + 1, epochs: epochs, values: row, fitness: fitness,
                                       time: now.timeIntervalSince(trainStart))
            if let callback = onEpochEnd, !callback(summary) { stop = true }
            if stop { break }
            epoch += 1
        }
        _ = epochStart
        let hours = Date().timeIntervalSince(trainStart) / 3600
        log("\n\(epoch - startEpoch + 1) epochs completed in \(String(format: "%.3f", hours)) hours.")
        plotGroup.wait()
        guard communicator.isMain else {
            return TrainResult(saveDir: saveDir, best: nil, last: lastURL, metrics: [], epochsCompleted: epoch - startEpoch + 1)
        }
        let finalMetrics = try finalEvaluation()
        if args.bool("plots") {
            do { try ResultsPlot.write(columns: csv.read(), to: saveDir.appendingPathComponent("results.png")) }
            catch { Log.warning("results.png not written: \(error)") }
        }
        return TrainResult(saveDir: saveDir, best: FileManager.default.fileExists(atPath: bestURL.path) ? bestURL : nil,
                           last: lastURL, metrics: finalMetrics, epochsCompleted: epoch - startEpoch + 1)
    }

    /// Removes the run folder of a new run that failed before its first checkpoint (only args.yaml is in it), so a
    /// bad argument or dataset leaves nothing behind.
    func discardNewRunFolder() {
        guard communicator.isMain, resumeCheckpoint == nil, !FileManager.default.fileExists(atPath: lastURL.path) else { return }
        try? FileManager.default.removeItem(at: saveDir)
    }

    /// One pass over the training batches; returns the running-mean loss items.
    func trainEpoch(_ epoch: Int, nb: Int, warmup: Warmup, acc0: Int, plotIndices: Set<Int>, lastOptStep: inout Int,
                    stop: inout Bool) throws -> [Double] {
        let header = "\n" + (["Epoch", "GPU_mem"] + LossGains.itemNames + ["Instances", "Size"])
            .map { PyFormat.s($0, 11) }.joined()
        log(header)
        let factor = schedule.factor(epoch)
        let prefetch = trainLoader.stream(epoch: epoch)
        let simulated = simulatedLoaders.map { $0.stream(epoch: epoch) }
        defer { prefetch.cancel(); simulated.forEach { $0.cancel() } }
        let batches = prefetch.batches
        let bar = ProgressBar("", total: nb, enabled: communicator.isMain)
        var tloss: [Double] = []
        var instances = 0
        var phase = PhaseTimer(enabled: ProcessInfo.processInfo.environment["YOLO_PROFILE"] == "1")
        defer { phase.report(log) }
        for i in 0..<batches.count {
            phase.start()
            let batch = prefetch.batch(i)
            phase.mark("loader wait")
            // A batch whose every image failed: one process skips it; a rank of several still takes part in the
            // gradient sum and the step, so all ranks stay in step.
            if batch.samples.isEmpty && worldSize == 1 { continue }
            let ni = i + nb * epoch
            if warmup.isActive(ni) { accumulate = warmup.accumulate(ni, nominal: acc0) }
            optimizer.applySchedule(factor: factor, ni: ni, warmup: warmup,
                                    warmupBiasLR: args.double("warmup_bias_lr") ?? 0.1,
                                    warmupMomentum: args.double("warmup_momentum") ?? 0.8,
                                    momentum: args.double("momentum") ?? 0.937)
            var size = imgsz
            if !batch.samples.isEmpty {
                let images = multiScaled(batch.images, ni: ni)
                size = images.shape[2]
                let levels = model.forwardRaw(images)
                phase.mark("forward")
                let (total, items) = loss(levels, labels: batch.labels)
                phase.mark("loss")
                let d = items.map(Double.init)
                tloss = tloss.isEmpty ? d : zip(tloss, d).map { ($0 * Double(i) + $1) / Double(i + 1) }
                total.backward()
                phase.mark("backward")
            }
            runSimulatedRanks(simulated, batch: i, ni: ni)
            try allReduceGradients()
            if worldSize > 1 { phase.mark("gradient sum") }
            if ni - lastOptStep >= accumulate {
                optimizerStep()
                phase.mark("optimizer+EMA")
                try checkReplicasAgree(step: ni)
                try dumpWeights(step: ni)
                lastOptStep = ni
                if let hours = args.double("time") {
                    // Rank 0's clock decides for every rank.
                    let late = Date().timeIntervalSince(trainStart) > hours * 3600
                    stop = try share(EpochDecision(stop: late, recover: false, epochs: epochs)).stop
                }
            }
            instances = batch.instances
            if plotIndices.contains(ni) { plotTrainBatch(batch, ni: ni) }
            let desc = PyFormat.s("\(epoch + 1)/\(epochs)", 11) + PyFormat.s("0G", 11)
                + (tloss + [Double(instances), Double(size)]).map { PyFormat.g($0, width: 11, precision: 4) }.joined()
            bar.setDescription(desc, done: i + 1)
            if stop { break }
        }
        return tloss
    }

    /// Clip to a total gradient norm of 10, step, zero the gradients, update the EMA.
    func optimizerStep() {
        clipGradientNorm(model.allParameters().map(\.1), maxNorm: 10)
        optimizer.step()
        optimizer.zeroGrad()
        ema.update()
    }
}

/// Per-phase wall time of training iterations (`YOLO_PROFILE=1`): milliseconds per iteration by phase, and the
/// largest resident set seen at the end of each phase.
struct PhaseTimer {
    let enabled: Bool
    var totals: [(String, Double)] = []
    var rss: [String: Int] = [:]
    var last = DispatchTime.now().uptimeNanoseconds
    var iterations = 0

    mutating func start() {
        guard enabled else { return }
        last = DispatchTime.now().uptimeNanoseconds
        iterations += 1
    }

    mutating func mark(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let ms = Double(now - last) / 1e6
        if let i = totals.firstIndex(where: { $0.0 == name }) { totals[i].1 += ms } else { totals.append((name, ms)) }
        rss[name] = max(rss[name] ?? 0, Self.residentMB())
        last = DispatchTime.now().uptimeNanoseconds
    }

    func report(_ log: (String) -> Void) {
        guard enabled, iterations > 0 else { return }
        let n = Double(iterations)
        log("profile: " + totals.map { "\($0.0) \(String(format: "%.1f", $0.1 / n)) ms" }.joined(separator: ", ")
            + " per iteration (\(iterations) iterations)")
        log("profile: resident MB after " + totals.map { "\($0.0) \(rss[$0.0] ?? 0)" }.joined(separator: ", "))
    }

    /// Current resident set size in MB (Linux /proc; 0 elsewhere).
    static func residentMB() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0, let text = String(bytes: buffer[..<n], encoding: .ascii) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }
}

/// Python's round(x, 5) for the logged values.
func round5(_ v: Double) -> Double { v.isFinite ? (v * 1e5).rounded(.toNearestOrEven) / 1e5 : v }
