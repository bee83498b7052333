import Foundation
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
    /// Sets the arithmetic of the model's convolutions and returns what will run (a network runs `.bfloat16` where the
    /// CPU has native bf16; other backends run float32).
    func setPrecision(_ precision: ConvPrecision) -> ConvPrecision
    /// Runs the model on NHWC RGB images in [0, 1] (`[N, H, W, 3]`).
    func forward(_ images: Tensor) throws -> Tensor
    /// Does the shape-independent one-time work of inference ahead of the first image (where Ultralytics warms its
    /// model up at this size): a network plans its convolutions and prepares the primitives and weights of the layers
    /// its own kernels serve; other backends do nothing.
    func warmup(batch: Int, height: Int, width: Int)
}

extension InferenceBackend {
    public func setPrecision(_ precision: ConvPrecision) -> ConvPrecision { .float32 }
    public func warmup(batch: Int, height: Int, width: Int) {}

    /// Applies `precision` before predict or val and says once per process what runs when it is not float32
    /// (`quantize=16`): bf16 and on what hardware, or why float32.
    func applyPrecision(_ precision: ConvPrecision) {
        let effective = setPrecision(precision)
        guard precision == .bfloat16 else { return }
        let note: String
        if effective == .bfloat16 {
            note = "quantize=16: convolutions run in bf16 on this CPU's \(ConvPrecision.bf16Hardware) with float32 "
                + (ConvPrecision.headRunsFloat32InBF16
                    ? "accumulation; the head (faster in float32 Winograd on this CPU), decode and NMS stay float32"
                    : "accumulation; the head's output convolutions, decode and NMS stay float32")
        } else if !(self is YOLONetwork) {
            note = "quantize=16: bf16 inference applies to PyTorch/safetensors/YAML models; this \(task) model runs in float32"
        } else {
            note = "quantize=16: this CPU has no native bf16 (AVX512_BF16 or AMX), so inference runs in float32 "
                + "(as Ultralytics does on a CPU)"
        }
        PrecisionNote.once(note)
    }
}

/// Notes about the precision that are printed once per process (a model predicting image by image would repeat them).
enum PrecisionNote {
    nonisolated(unsafe) private static var said: Set<String> = []
    private static let lock = NSLock()

    static func once(_ note: String) {
        lock.lock()
        let fresh = said.insert(note).inserted
        lock.unlock()
        if fresh { Log.info(note) }
    }
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
