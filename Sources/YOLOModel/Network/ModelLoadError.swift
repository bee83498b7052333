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
            return "\(f): unsupported model format (expected .pt, .safetensors or a model .yaml)"
        case .download(let name, let url, let reason):
            return "'\(name)' not found locally and download from \(url) failed: \(reason)"
        }
    }
}
