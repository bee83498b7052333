import Foundation
import YOLODistributed
import YOLOData
import YOLOModel
import YOLOTensor

/// Validates a pose network on a YOLO-format dataset as Ultralytics' PoseValidator: rect batches padded by
/// half a stride, NMS at conf 0.001 / IoU 0.7, greedy IoU and OKS matching at 0.50:0.05:0.95 in letterboxed
/// input pixels (predictions unclipped), 101-point AP, P and R at the max-F1 confidence.
public final class Validator {
    /// The model being validated.
    public let backend: InferenceBackend
    /// The network when the backend is one.
    public var model: YOLONetwork? { backend as? YOLONetwork }
    public let data: DataConfig
    public let options: ValOptions
    /// Console sink (stdout by default).
    public var log: (String) -> Void = { print($0) }
    /// The processes sharing the work: each validates a contiguous slice of the batches and rank 0 merges the
    /// statistics, prints the table and writes plots and predictions.json. One process by default.
    public var communicator: Communicator = SingleProcess()
    /// Called with each batch's raw head outputs before decoding (the trainer computes validation losses from
    /// them). When set, the network runs as `forwardRaw` + `decode`, which gives the same output. Networks only.
    public var onRawOutputs: (([HeadLevel], ValBatch) -> Void)?

    /// Validates any backend. A static-shape export (`fixedInputSize`) is validated as the reference does: at its
    /// export batch and input size, without rect batches ("Setting batch=… input of shape …").
    public init(backend: InferenceBackend, data: DataConfig, options: ValOptions = ValOptions()) throws {
        guard let ks = backend.kptShape else {
            throw ModelLoadError.wrongTask(file: "model", expected: "pose", found: backend.task)
        }
        guard ks == data.kptShape else {
            throw DataConfigError(file: data.yamlURL.path, key: "kpt_shape",
                                  message: "dataset kpt_shape \(data.kptShape) does not match the model's \(ks)")
        }
        backend.prepareForInference()
        backend.applyPrecision(options.precision)
        // The shape-independent one-time work before the first batch (the reference's warmup step).
        let side = (max(options.imgsz, 1) + backend.maxStride - 1) / backend.maxStride * backend.maxStride
        if backend.fixedInputSize == nil { backend.warmup(batch: 1, height: side, width: side) }
        self.backend = backend
        self.data = data
        self.options = options
    }

    /// `fuse: false` validates the network as it is (the trainer validates its unfused EMA, as the reference does).
    public convenience init(model: YOLONetwork, data: DataConfig, options: ValOptions = ValOptions(), fuse: Bool = true) throws {
        guard fuse else {
            try self.init(unfused: model, data: data, options: options)
            return
        }
        try self.init(backend: model, data: data, options: options)
    }

    private init(unfused model: YOLONetwork, data: DataConfig, options: ValOptions) throws {
        guard let ks = model.kptShape else {
            throw ModelLoadError.wrongTask(file: "model", expected: "pose", found: model.task)
        }
        guard ks == data.kptShape else {
            throw DataConfigError(file: data.yamlURL.path, key: "kpt_shape",
                                  message: "dataset kpt_shape \(data.kptShape) does not match the model's \(ks)")
        }
        self.backend = model
        self.data = data
        self.options = options
    }

    /// Runs validation and returns the metrics; prints the Ultralytics table when `verbose`.
    public func run() throws -> PoseMetrics {
        guard options.batch > 0 || backend.fixedInputSize != nil else { throw ValError.invalidBatch(options.batch) }
        let entries = data.split(options.split)
        // Rank 0 checks the data and writes the label cache first; the other ranks then read it.
        let scan = try communicator.rankZeroFirst {
            try DatasetDownload.ensure(entries, data: data)
            return try LabelScanner.scan(imageDirOrList: entries, kptShape: data.kptShape, nc: data.nc,
                                         singleCls: options.singleCls)
        }
        let main = communicator.rank == 0
        let stride = backend.maxStride
        let loader: ValLoader
        if let fixed = backend.fixedInputSize {
            let batch = backend.exportBatch ?? 1
            if options.verbose { log("Setting batch=\(batch) input of shape (\(batch), 3, \(fixed.height), \(fixed.width))") }
            loader = ValLoader(scan: scan, fixedShape: (fixed.height, fixed.width), batch: batch, stride: stride)
        } else {
            loader = ValLoader(scan: scan, imgsz: options.imgsz, batch: options.batch, stride: stride)
        }
        let sigmas = try OKS.sigmas(count: data.kptShape[0], dims: data.kptShape[1], override: data.kptOksSigmas)
        var stats = DetectionStats(pose: true)
        var maxDet = options.maxDet
        let most = scan.images.map(\.labels.count).max() ?? 0
        if maxDet == 300 && most > maxDet {
            Log.warning("max_det=300 is less than the largest object count \(most) in the dataset; using max_det=\(most)")
            maxDet = most
        }
        var nms = NMSOptions()
        nms.conf = options.conf
        nms.iou = options.iou
        nms.maxDet = maxDet
        nms.agnostic = options.singleCls || options.agnosticNMS
        nms.multiLabel = true  // effective only when nc > 1, as in the reference
        var times = (pre: 0.0, inf: 0.0, post: 0.0)
        let outputs = try ValOutputWriter(options: options, imageFiles: scan.images.map(\.url))
        try communicator.barrier()   // every rank has cleared old labels before any writes new ones
        let plotDir = options.plots ? options.saveDir : nil
        var confusion = ConfusionMatrix(nc: data.nc, conf: options.conf)
        var plotted: [(ValBatch, [[Detection]])] = []
        let mine = communicator.shard(loader.count)
        let progress = ProgressBar(PoseMetrics.tableHeader(), total: mine.count, enabled: options.verbose && main)
        progress.update(0)
        for (done, b) in mine.enumerated() {
            defer { progress.update(done + 1) }
            let batch = try loader.batch(at: b)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let x = Validator.stack(batch.images)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let out: Tensor = try withNoGrad {
                guard let hook = onRawOutputs, let net = model else { return try backend.forward(x) }
                let levels = net.forwardRaw(x)
                hook(levels, batch)
                return net.head.decode(levels)
            }
            let t2 = DispatchTime.now().uptimeNanoseconds
            let dets = backend.detections(out, options: nms)
            for (i, d) in dets.enumerated() {
                accumulate(d, labels: batch.labels[i], size: batch.shape, sigmas: sigmas, into: &stats)
                try outputs?.add(d, batch: batch, index: i, kptShape: backend.kptShape, names: backend.names)
                if plotDir != nil { confusion.process(detections: d, gtBoxes: Validator.pixelBoxes(batch.labels[i], batch.shape),
                                                      gtClasses: batch.labels[i].map(\.cls)) }
            }
            // The first batches of the whole run are drawn (val_batch0…2), by the rank that holds each.
            if plotDir != nil && b < ValPlots.plottedBatches { plotted.append((batch, dets)) }
            let t3 = DispatchTime.now().uptimeNanoseconds
            times.pre += Double(t1 - t0) / 1e6
            times.inf += Double(t2 - t1) / 1e6
            times.post += Double(t3 - t2) / 1e6
        }
        var fragments = outputs?.jsonFragments() ?? []
        if communicator.size > 1 {
            try merge(&stats, confusion: &confusion, times: &times, fragments: &fragments)
        }
        let metrics = PoseMetrics(stats: stats, names: data.names)
        guard main else {
            if let plotDir {
                let font = try FontRenderer.shared()
                for (k, item) in plotted.enumerated() {
                    try ValPlots.writeBatch(item.0, predictions: item.1, index: mine.lowerBound + k, names: data.names,
                                            to: plotDir, font: font)
                }
            }
            return metrics
        }
        if options.verbose {
            log(metrics.tableRow())
            if data.nc > 1 { metrics.classRows().forEach(log) }
            let n = Double(max(stats.images, 1))
            if options.printSpeed { log(String(format: "Speed: %.1fms preprocess, %.1fms inference, 0.0ms loss, %.1fms postprocess per image",
                       times.pre / n, times.inf / n, times.post / n)) }
        }
        if let outputs, let url = try outputs.finish(fragments: fragments) { log("Saving \(url.path)...") }
        if let plotDir {
            try ValPlots.writeAll(stats: stats, metrics: metrics, confusion: confusion, batches: plotted,
                                  names: data.names, to: plotDir)
        }
        if let dir = options.saveDir, options.saveJSON || options.plots {
            log("Results saved to \u{1b}[1m\(dir.path)\u{1b}[0m")
        }
        return metrics
    }

    /// Label boxes (normalized xywh) as xyxy in input pixels of a `size` image.
    static func pixelBoxes(_ labels: [PoseLabel], _ size: (h: Int, w: Int)) -> [SIMD4<Float>] {
        let (w, h) = (Float(size.w), Float(size.h))
        return labels.map { l in
            SIMD4(l.box[0] - l.box[2] / 2, l.box[1] - l.box[3] / 2, l.box[0] + l.box[2] / 2, l.box[1] + l.box[3] / 2)
                * SIMD4(w, h, w, h)
        }
    }

    /// Matches one image's detections to its labels (input pixels) and appends the statistics.
    func accumulate(_ dets: [Detection], labels: [PoseLabel], size: (h: Int, w: Int), sigmas: [Float],
                    into stats: inout DetectionStats) {
        let (w, h) = (Float(size.w), Float(size.h))
        let gtBoxes = Validator.pixelBoxes(labels, size)
        let gtKpts = labels.map { $0.keypoints.map { SIMD3($0.x * w, $0.y * h, $0.z) } }
        let gtCls = labels.map(\.cls)
        let predCls = dets.map(\.cls)
        let d = backend.kptShape![1]
        let predKpts = dets.map { det in
            (0..<(det.keypoints.count / d)).map { k in SIMD2(det.keypoints[k * d], det.keypoints[k * d + 1]) }
        }
        let nT = Matching.iouThresholds.count
        var tp = [[Bool]](repeating: [Bool](repeating: false, count: nT), count: dets.count)
        var tpPose = tp
        if !labels.isEmpty && !dets.isEmpty {
            tp = Matching.match(similarity: Matching.boxIoU(gtBoxes, dets.map(\.box)), gtClasses: gtCls, predClasses: predCls)
            let oks = Matching.oks(gt: gtKpts, gtAreas: Matching.oksAreas(gtBoxes), pred: predKpts, sigmas: sigmas)
            tpPose = Matching.match(similarity: oks, gtClasses: gtCls, predClasses: predCls)
        }
        stats.append(tp: tp, tpPose: tpPose, conf: dets.map(\.conf), predCls: predCls, targetCls: gtCls)
    }

    /// Stacks same-sized BGR images into an NHWC RGB tensor in [0, 1].
    static func stack(_ images: [Image]) -> Tensor {
        let (h, w) = (images[0].height, images[0].width)
        let x = Tensor(uninitializedShape: [images.count, h, w, 3])
        for (b, img) in images.enumerated() {
            precondition(img.height == h && img.width == w, "Validator: batch images differ in size")
            img.writeRGB01(into: x.pointer + b * h * w * 3)
        }
        x.markModified()
        return x
    }
}
