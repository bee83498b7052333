import Foundation

/// The export arguments that shape a TorchScript file (Ultralytics' `yolo export format=torchscript` allows
/// `batch`, `quantize`, `nms` and `dynamic`; `conf`, `iou`, `max_det` and `agnostic_nms` matter with `nms`).
public struct TorchScriptExportOptions: Sendable {
    /// Input height and width (multiples of the max stride; the caller rounds them as the reference does).
    public var imgsz: [Int]
    /// Export batch size, recorded in the metadata (the file itself accepts any batch).
    public var batch: Int
    /// Anchors computed per call, so any input size multiple of the stride works; static files bake the grid for
    /// `imgsz` and accept only that size (as the reference's traced file).
    public var dynamic: Bool
    /// `nms=True` embeds NMS (output `[B, maxDet, 6 + extra]`); `nil` is the default (recorded as null).
    public var nms: Bool?
    /// Canonical `quantize` value: nil or 32 for FP32; 16 fails on the CPU like the reference; others are refused.
    public var quantize: String?
    /// NMS score threshold (nil → 0.25).
    public var conf: Double?
    /// NMS IoU threshold.
    public var iou: Double
    /// Rows per image with NMS.
    public var maxDet: Int
    /// Class-agnostic NMS.
    public var agnosticNMS: Bool

    public init(imgsz: [Int], batch: Int = 1, dynamic: Bool = false, nms: Bool? = nil, quantize: String? = nil,
                conf: Double? = nil, iou: Double = 0.7, maxDet: Int = 300, agnosticNMS: Bool = false) {
        self.imgsz = imgsz.count == 1 ? [imgsz[0], imgsz[0]] : imgsz
        self.batch = batch
        self.dynamic = dynamic
        self.nms = nms
        self.quantize = quantize
        self.conf = conf
        self.iou = iou
        self.maxDet = maxDet
        self.agnosticNMS = agnosticNMS
    }

    /// Height and width.
    public var size: (height: Int, width: Int) { (imgsz[0], imgsz[imgsz.count > 1 ? 1 : 0]) }

    /// Checks the arguments against the network's stride; `file` names the output in errors.
    func validate(stride: Int, file: String) throws {
        switch quantize {
        case nil, "32": break
        case "16": throw TorchScriptExportError.fp16RequiresGPU(file: file)
        case let q?: throw TorchScriptExportError.unsupportedQuantize(file: file, value: q)
        }
        let (h, w) = size
        guard imgsz.count <= 2, h > 0, w > 0, h % stride == 0, w % stride == 0 else {
            throw TorchScriptExportError.imageSizeNotMultipleOfStride(file: file, height: h, width: w, stride: stride)
        }
        guard batch >= 1 else { throw TorchScriptExportError.invalidBatch(file: file, batch: batch) }
        if nms == true, maxDet < 1 { throw TorchScriptExportError.invalidMaxDet(file: file, maxDet: maxDet) }
    }
}
