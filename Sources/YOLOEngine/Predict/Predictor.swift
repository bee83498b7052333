import Foundation
import YOLOData
import YOLOModel
import YOLOTensor

/// Runs a pose/detect network on images: letterbox → forward → NMS → rescale, as Ultralytics' predictor.
/// Images are decoded on a background thread while the network runs on the calling thread (oneDNN stays
/// on one thread).
public final class Predictor {
    public let model: YOLONetwork
    public let options: PredictOptions
    /// Network input size (height, width) after rounding up to a stride multiple.
    public let imgsz: (height: Int, width: Int)
    /// Console sink for per-image lines (stdout by default).
    public var log: (String) -> Void = { print($0) }

    public init(model: YOLONetwork, options: PredictOptions = PredictOptions()) {
        if !model.isFused { model.fuse() }
        self.model = model
        self.options = options
        let stride = Int(model.stride.max() ?? 32)
        var size = options.imgsz ?? model.args["imgsz"].flatMap { n -> [Int]? in
            if let i = n.int { return [i] }
            return n.list?.compactMap(\.int)
        } ?? [640]
        if size.count == 1 { size = [size[0], size[0]] }
        let rounded = size.map { max(($0 + stride - 1) / stride * stride, stride) }
        if rounded != size {
            Log.warning("imgsz=\(size) must be multiple of max stride \(stride), updating to \(rounded)")
        }
        imgsz = (rounded[0], rounded[1])
    }

    /// Predicts one decoded image. `path` names it in the results.
    public func predict(_ image: Image, path: String = "image0.jpg") -> Results {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let lb = letterbox(image, to: imgsz, auto: true, stride: Int(model.stride.max() ?? 32))
        let x = lb.image.toTensorRGB01()
        let t1 = DispatchTime.now().uptimeNanoseconds
        let out = withNoGrad { model(x) }
        let t2 = DispatchTime.now().uptimeNanoseconds
        let dets = nonMaxSuppression(out, nc: model.nc, options: options.nms)[0]
        let r = makeResults(dets, input: (lb.image.height, lb.image.width), image: image, path: path)
        let t3 = DispatchTime.now().uptimeNanoseconds
        var res = r
        res.speed = Speed(preprocess: Double(t1 - t0) / 1e6, inference: Double(t2 - t1) / 1e6, postprocess: Double(t3 - t2) / 1e6)
        return res
    }

    /// Maps detections from the letterboxed input back to the original image.
    func makeResults(_ dets: [Detection], input: (height: Int, width: Int), image: Image, path: String) -> Results {
        LetterboxMapping(input: input, original: (image.height, image.width))
            .results(dets, kptShape: model.kptShape, names: model.names, path: path, inputShape: input)
    }
}
