import YOLOModel
import YOLOTensor

/// What predict and val need from a model, whatever its file format: a forward pass on letterboxed images and the
/// facts that decide preprocessing and postprocessing. `YOLONetwork` (a `.pt`/`.yaml`/`.safetensors` model) and
/// `ONNXModel` (an `.onnx` export, module YOLOONNX) conform, so `Predictor` and `Validator` run one pipeline for both.
///
/// Preprocessing follows Ultralytics' backend rules: a model with a `fixedInputSize` (a static-shape export) is
/// letterboxed to exactly that size (`auto=False`, no rect batches in val, val batch = `exportBatch`); otherwise
/// letterboxing uses the minimal stride-multiple rectangle as for a `.pt`.
public protocol InferenceBackend: AnyObject {
    /// Task name: "pose" or "detect".
    var task: String { get }
    /// Class names by index.
    var names: [Int: String] { get }
    /// Number of classes in the output.
    var nc: Int { get }
    /// [K, D] keypoints per object for pose models.
    var kptShape: [Int]? { get }
    /// The largest stride (32 for YOLOv8).
    var maxStride: Int { get }
    /// Image size used when the caller gives none ([h, w] or [s]); nil means 640.
    var defaultImgsz: [Int]? { get }
    /// The only input size (h, w) a static export accepts; nil when any stride multiple works.
    var fixedInputSize: (height: Int, width: Int)? { get }
    /// The batch a static export was made for (nil for models that take any batch).
    var exportBatch: Int? { get }
    /// Whether outputs are already NMS'd rows `[B, max_det, 6 + K·D]` (x1, y1, x2, y2, score, class, keypoints)
    /// instead of the raw `[B, 4 + nc + K·D, anchors]` head output.
    var isEndToEnd: Bool { get }
    /// Readies the model for inference (folds BatchNorm into convolutions for a network).
    func prepareForInference()
    /// Runs the model on NHWC RGB images in [0, 1] (`[N, H, W, 3]`).
    func forward(_ images: Tensor) throws -> Tensor
}

extension InferenceBackend {
    /// Detections per image from an output of `forward`: NMS for raw head outputs, or the score/class/max_det
    /// filter for end-to-end outputs.
    public func detections(_ output: Tensor, options: NMSOptions) -> [[Detection]] {
        isEndToEnd ? endToEndDetections(output, options: options) : nonMaxSuppression(output, nc: nc, options: options)
    }
}

extension YOLONetwork: InferenceBackend {
    public var maxStride: Int { Int(stride.max() ?? 32) }
    public var defaultImgsz: [Int]? {
        args["imgsz"].flatMap { n -> [Int]? in
            if let i = n.int { return [i] }
            return n.list?.compactMap(\.int)
        }
    }
    public var fixedInputSize: (height: Int, width: Int)? { nil }
    public var exportBatch: Int? { nil }
    public var isEndToEnd: Bool { false }
    public func prepareForInference() { if !isFused { fuse() } }
    public func forward(_ images: Tensor) throws -> Tensor { withNoGrad { self(images) } }
}
