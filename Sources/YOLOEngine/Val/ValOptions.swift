import Foundation
import YOLOTensor

/// `yolo pose val` arguments with the validator's defaults (spec train-and-val §5).
public struct ValOptions: Sendable {
    public var imgsz = 640
    public var batch = 16
    public var conf: Float = 0.001
    public var iou: Float = 0.7
    public var maxDet = 300
    public var split = "val"
    public var singleCls = false
    public var agnosticNMS = false
    public var verbose = true
    /// Print the "Speed: …" line (standalone validation; validation during training does not).
    public var printSpeed = true
    /// Write `<saveDir>/predictions.json` (COCO-style records, §5.6).
    public var saveJSON = false
    /// Write `<saveDir>/labels/<name>.txt` per image with detections (predict's save_txt format, original image).
    public var saveTxt = false
    /// Append the confidence to each save_txt line.
    public var saveConf = false
    /// Write PR/P/R/F1 curves, confusion matrices and batch mosaics to `saveDir` (when it is set).
    public var plots = false
    /// Output folder for save_json / save_txt / plots; required when either is on (created when missing).
    public var saveDir: URL?
    /// Convolution arithmetic (`quantize=16`: `.bfloat16` where the CPU has native bf16; see `InferenceBackend.setPrecision`).
    public var precision: ConvPrecision = .float32
    public init() {}
}
