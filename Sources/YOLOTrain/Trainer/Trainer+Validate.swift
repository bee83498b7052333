import Foundation
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTensor

extension Trainer {
    /// Validation options shared by the per-epoch and the final validation (val batch = 2 × batch, rect, pad 0.5).
    func validationOptions(plots: Bool, standalone: Bool) -> ValOptions {
        var o = ValOptions()
        o.imgsz = imgsz
        o.batch = rankBatch * 2
        o.conf = Float(args.double("conf") ?? 0.001)
        o.iou = Float(args.double("iou") ?? 0.7)
        o.maxDet = args.int("max_det") ?? 300
        o.split = args.string("split") ?? "val"
        o.singleCls = args.bool("single_cls")
        o.agnosticNMS = args.bool("agnostic_nms")
        o.plots = plots
        o.printSpeed = standalone
        o.saveJSON = standalone && args.bool("save_json")
        o.saveTxt = standalone && args.bool("save_txt")
        o.saveConf = standalone && args.bool("save_conf")
        o.saveDir = saveDir
        return o
    }

    /// Validates the EMA (unfused, inference mode) and computes the validation losses from its raw outputs, as the
    /// reference does during training. Returns the metric and val-loss columns (rounded to 5 decimals) and fitness.
    func validate(final: Bool) throws -> ([(String, Double)], Double?) {
        valPlots = valPlots && args.bool("plots") && (final || stopper.possibleStop)
        releaseFreedMemory()
        let validator = try Validator(model: ema.ema, data: data, options: validationOptions(plots: valPlots, standalone: false),
                                      fuse: false)
        validator.log = log
        var sums = [Double](repeating: 0, count: 5)
        var batches = 0
        let lossFn = loss!
        validator.onRawOutputs = { levels, batch in
            let (_, items) = withNoGrad { lossFn(levels, labels: batch.labels) }
            for k in 0..<5 { sums[k] += Double(items[k]) }
            batches += 1
        }
        let m = try validator.run()
        releaseFreedMemory()   // validation's buffers are not the training shapes
        var columns = zip(PoseMetrics.keys, m.meanResults).map { ($0.0, round5($0.1)) }
        columns += LossGains.itemNames.enumerated().map { ("val/\($0.element)", round5(sums[$0.offset] / Double(max(batches, 1)))) }
        let fit = round5(m.fitness.isNaN ? 0 : m.fitness)
        if bestFitness == nil || bestFitness! < fit { bestFitness = fit }
        return (columns, fit)
    }

    /// Metric columns before the first validation (the reference starts from zeros).
    var zeroMetrics: [(String, Double)] {
        PoseMetrics.keys.map { ($0, 0) } + LossGains.itemNames.map { ("val/\($0)", 0) }
    }

    /// After training: strips last.pt and best.pt, then validates best.pt (fused, plots as `plots`) and prints the
    /// table as a standalone validation does.
    func finalEvaluation() throws -> [(String, Double)] {
        let fm = FileManager.default
        let results = csv.read()
        if fm.fileExists(atPath: lastURL.path) { try stripCheckpoint(lastURL, trainResults: results) }
        guard fm.fileExists(atPath: bestURL.path) else { return [] }
        try stripCheckpoint(bestURL, trainResults: results)
        log("\nValidating \(bestURL.path)...")
        releaseFreedMemory()
        let best = try YOLONetwork.load(bestURL.path)
        let validator = try Validator(model: best, data: data, options: validationOptions(plots: args.bool("plots"), standalone: true))
        validator.log = log
        let m = try validator.run()
        return zip(PoseMetrics.keys, m.meanResults).map { ($0.0, round5($0.1)) } + [("fitness", m.fitness)]
    }
}
