import Foundation
import YOLOFormats

/// Why a network cannot be written as an Ultralytics checkpoint.
public enum CheckpointWriteError: Error, CustomStringConvertible, Equatable {
    /// Conv+BN pairs were folded: checkpoints hold unfused modules.
    case fusedNetwork(file: String)
    /// `float16` and `float32` are the weight types a checkpoint can hold.
    case unsupportedDType(file: String, TensorDType)
    /// A layer type with no Ultralytics counterpart here.
    case unsupportedLayer(file: String, layer: Int, type: String)

    public var description: String {
        switch self {
        case .fusedNetwork(let f):
            return "\(f): cannot write a fused network (BatchNorm folded into Conv); checkpoints hold unfused modules, save before fuse()"
        case .unsupportedDType(let f, let t):
            return "\(f): checkpoint weights must be float16 or float32, not \(t)"
        case .unsupportedLayer(let f, let layer, let type):
            return "\(f): layer \(layer) (\(type)) has no Ultralytics checkpoint form"
        }
    }
}
