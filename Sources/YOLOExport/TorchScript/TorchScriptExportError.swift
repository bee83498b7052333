import Foundation

/// Why a network cannot be exported to TorchScript. Every case names the output file.
public enum TorchScriptExportError: Error, CustomStringConvertible, Equatable {
    /// `quantize=16`: the reference traces FP16 TorchScript on a GPU only.
    case fp16RequiresGPU(file: String)
    /// A precision TorchScript export does not offer (INT8, weight-only modes).
    case unsupportedQuantize(file: String, value: String)
    /// Height or width is not a positive multiple of the network's largest stride.
    case imageSizeNotMultipleOfStride(file: String, height: Int, width: Int, stride: Int)
    /// Batch size below 1.
    case invalidBatch(file: String, batch: Int)
    /// `max_det` below 1 for embedded NMS.
    case invalidMaxDet(file: String, maxDet: Int)
    /// A layer type the TorchScript generator has no code for.
    case unsupportedLayer(file: String, layer: Int, type: String)

    public var description: String {
        switch self {
        case .fp16RequiresGPU(let f):
            return "\(f): FP16 TorchScript export is only supported on GPU, i.e. use device=0."
        case .unsupportedQuantize(let f, let v):
            return "\(f): quantize=\(v) is not supported; format='torchscript' supports quantize=16 (FP16), 32 or None (FP32)."
        case .imageSizeNotMultipleOfStride(let f, let h, let w, let s):
            return "\(f): imgsz=[\(h), \(w)] must be a positive multiple of the max stride \(s)"
        case .invalidBatch(let f, let b):
            return "\(f): batch=\(b) must be at least 1"
        case .invalidMaxDet(let f, let m):
            return "\(f): max_det=\(m) must be at least 1"
        case .unsupportedLayer(let f, let layer, let type):
            return "\(f): layer \(layer) (\(type)) has no TorchScript form"
        }
    }
}
