import Foundation
import YOLODistributed
import YOLOData
import YOLOModel
import YOLOTensor

/// Runs a pose/detect model on images: letterbox → forward → NMS → rescale, as Ultralytics' predictor.
/// Images are decoded on a background thread while the model runs on the calling thread (oneDNN stays
/// on one thread). Any `InferenceBackend` works: a `YOLONetwork` or an ONNX export.
public final class Predictor {
    /// The model being run.
    public let backend: InferenceBackend
    /// The network when the backend is one.
    public var model: YOLONetwork? { backend as? YOLONetwork }
    public let options: PredictOptions
    /// Network input size (height, width) after rounding up to a stride multiple; a static export's own size.
    public let imgsz: (height: Int, width: Int)
    /// Minimal-rectangle letterboxing (`auto`): on for networks and dynamic exports, off for static exports.
    public let letterboxAuto: Bool
    /// Console sink for per-image lines (stdout by default).
    public var log: (String) -> Void = { print($0) }
    /// The processes sharing the sources: each predicts a contiguous slice of the files (whole batches), rank 0
    /// prints the summary of all. One process by default; the CLI passes the `mpirun` group.
    public var communicator: Communicator = SingleProcess()
    /// Runs on each image's or frame's results before they are logged, saved or handed out (the reference's
    /// `on_predict_postprocess_end` callback; tracking installs one that assigns track ids).
    public var postprocessHook: ((Results, Image) throws -> Results)?
    /// The stream slot (0-based) of the frame being post-processed in stream mode, else nil.
    public internal(set) var streamSlot: Int?

    /// The largest side `imgsz` may ask for (the CLI refuses larger values with the same limit).
    public static let maxImgsz = 8192

    /// - Throws: `PredictError.unsupported` for an `imgsz` side above `maxImgsz`.
    public init(backend: InferenceBackend, options: PredictOptions = PredictOptions()) throws {
        backend.prepareForInference()
        backend.applyPrecision(options.precision)
        self.backend = backend
        self.options = options
        if let fixed = backend.fixedInputSize {
            // A static export takes only its own size: imgsz comes from the file, as in the reference.
            imgsz = fixed
            letterboxAuto = false
            return
        }
        letterboxAuto = true
        let stride = backend.maxStride
        var size = options.imgsz ?? backend.defaultImgsz ?? [640]
        if size.count == 1 { size = [size[0], size[0]] }
        if let side = size.first(where: { $0 > Self.maxImgsz }) {
            throw PredictError.unsupported("imgsz=\(size) is too large: \(side) exceeds the limit of \(Self.maxImgsz) per side")
        }
        let rounded = size.map { max(($0 + stride - 1) / stride * stride, stride) }
        if rounded != size {
            Log.warning("imgsz=\(size) must be multiple of max stride \(stride), updating to \(rounded)")
        }
        imgsz = (rounded[0], rounded[1])
        // The one-time work that does not depend on an image's shape, before the first one (the reference's warmup step).
        backend.warmup(batch: 1, height: imgsz.height, width: imgsz.width)
    }

    public convenience init(model: YOLONetwork, options: PredictOptions = PredictOptions()) throws {
        try self.init(backend: model, options: options)
    }

    /// Predicts one decoded image. `path` names it in the results.
    /// `auto` overrides the minimal-rectangle choice (`rect=False`, or a batch of mixed shapes, pads to the square).
    public func predict(_ image: Image, path: String = "image0.jpg", auto: Bool? = nil) throws -> Results {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let lb = letterbox(image, to: imgsz, auto: auto ?? (letterboxAuto && options.rect), stride: backend.maxStride)
        let x = lb.image.toTensorRGB01()
        let t1 = DispatchTime.now().uptimeNanoseconds
        let out = try backend.forward(x)
        let t2 = DispatchTime.now().uptimeNanoseconds
        let dets = backend.detections(out, options: options.nms)[0]
        let r = makeResults(dets, input: (lb.image.height, lb.image.width), image: image, path: path)
        let t3 = DispatchTime.now().uptimeNanoseconds
        var res = r
        res.speed = Speed(preprocess: Double(t1 - t0) / 1e6, inference: Double(t2 - t1) / 1e6, postprocess: Double(t3 - t2) / 1e6)
        res.origImage = image
        return res
    }

    /// `predict` followed by the post-processing hook, as the run loops call it.
    func predictFrame(_ image: Image, path: String, auto: Bool? = nil) throws -> Results {
        let r = try predict(image, path: path, auto: auto)
        guard let hook = postprocessHook else { return r }
        return try hook(r, image)
    }

    /// Maps detections from the letterboxed input back to the original image.
    func makeResults(_ dets: [Detection], input: (height: Int, width: Int), image: Image, path: String) -> Results {
        LetterboxMapping(input: input, original: (image.height, image.width))
            .results(dets, kptShape: backend.kptShape, names: backend.names, path: path, inputShape: input)
    }
}
