import YOLOModel
import YOLOTensor
/// Predict arguments with Ultralytics' defaults (spec §6.1). `imgsz` nil means the checkpoint's training
/// `imgsz`, else 640.
public struct PredictOptions: Sendable {
    /// Convolution arithmetic (`quantize=16`: `.bfloat16` where the CPU has native bf16; see `InferenceBackend.setPrecision`).
    public var precision: ConvPrecision = .float32
    public var conf: Float = 0.25
    public var iou: Float = 0.7
    public var imgsz: [Int]? = nil
    public var maxDet = 300
    public var classes: [Int]? = nil
    public var agnosticNMS = false
    public var save = false
    public var saveTxt = false
    public var saveConf = false
    public var saveCrop = false
    public var project: String? = nil
    public var name: String? = nil
    public var existOk = false
    public var verbose = true
    public var showLabels = true
    public var showConf = true
    public var showBoxes = true
    public var lineWidth: Int? = nil
    public var vidStride = 1
    /// Images per batch (`batch`): a batch of images with different shapes is letterboxed to the full square, as the
    /// reference's batched preprocessing does (images are still run one at a time; results do not depend on it).
    public var batch = 1
    /// Minimal-rectangle letterboxing (`rect`, on by default for predict as in the reference; `rect=False` pads every
    /// image to the full `imgsz` square).
    public var rect = true
    /// Also write each annotated video/stream frame as a JPEG (`save_frames`, with `save`).
    public var saveFrames = false
    /// `visualize`: a LayerCAM heat map of each image's predictions, `<stem>_cam.jpg` in the run folder (PyTorch
    /// models; exported models warn and ignore it, as the reference does).
    public var visualize = false
    /// Live sources: queue up to 30 frames instead of always taking the newest (`stream_buffer`).
    public var streamBuffer = false
    /// `predict` or `track`: names the run folder (`runs/pose/track`).
    public var mode = "predict"
    public init() {}

    var nms: NMSOptions {
        var o = NMSOptions()
        o.conf = conf
        o.iou = iou
        o.classes = classes
        o.agnostic = agnosticNMS
        o.maxDet = maxDet
        return o
    }
}

extension ConvPrecision {
    /// The arithmetic a `quantize` value asks predict and val for, as `quantize=` does on the command line: 16 runs bf16
    /// where the CPU has native bf16, nil and 32 float32; anything else (8: INT8 is an export option) runs float32 and
    /// says so.
    public init(quantize: Int?) {
        switch quantize {
        case 16: self = .bfloat16
        case nil, 32: self = .float32
        case let q?:
            Log.warning(Self.ignoredQuantize(String(q), mode: "inference"))
            self = .float32
        }
    }

    /// The warning for a `quantize` value predict and val do not apply (CLI and Swift API alike).
    public static func ignoredQuantize(_ value: String, mode: String) -> String {
        "'quantize=\(value)' has no effect here: \(mode) runs in float32 on a CPU, as Ultralytics does (INT8 and mixed "
            + "schemes are export options; quantize=16 runs bf16 where the CPU has it)"
    }
}
