import Foundation
import YOLONN

/// Why a model could not be loaded. Every message names the file.
public enum ModelLoadError: Error, CustomStringConvertible {
    case wrongTask(file: String, expected: String, found: String)
    case weights(file: String, StateDictError)
    case metadata(file: String, String)
    case unsupportedFormat(file: String)
    case download(name: String, url: String, reason: String)

    public var description: String {
        switch self {
        case .wrongTask(let f, let e, let found):
            return "\(f): this is a '\(found)' model checkpoint, but task '\(e)' was requested"
        case .weights(let f, let e): return "\(f): \(e)"
        case .metadata(let f, let why): return "\(f): \(why)"
        case .unsupportedFormat(let f):
            if (f as NSString).pathExtension.lowercased() == "onnx" {
                // As the reference: exported files only predict and validate.
                return "model='\(f)' should be a *.pt PyTorch model to run this method, but is a different format. "
                    + "Exported formats like ONNX only support 'predict' and 'val' modes, "
                    + "i.e. 'yolo pose predict model=\((f as NSString).lastPathComponent)'; train and export need the .pt"
            }
            return "\(f): unsupported model format (expected .pt, .safetensors or a model .yaml; .onnx for predict and val)"
        case .download(let name, let url, let reason):
            return "'\(name)' not found locally and download from \(url) failed: \(reason)"
        }
    }
}
