/// Why an export cannot run or failed. `description` is the one-line message shown to the user; where the reference
/// has a message for the same case, it is the reference's text.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    /// `format=foo` with no close match; `alreadyPyTorch` for `format=pt`.
    case invalidFormat(String, alreadyPyTorch: Bool)
    /// A format the reference knows that this build cannot write yet.
    case formatNotImplemented(format: String, displayName: String)
    /// An argument whose value differs from its default but is not in the format's allow-list.
    case argumentNotSupported(argument: String, format: String)
    /// A `quantize` precision the format does not offer (`hint` lists what it does).
    case quantizeNotSupported(quantize: String, format: String, hint: String)
    /// A precision or variant that the format supports in the reference but this build does not produce.
    case quantizeNotImplemented(format: String, quantize: String)
    /// An invalid argument value (the reference's ValueError/AssertionError text).
    case invalidArgument(String)
    /// `opset` below what the model needs.
    case opsetTooLow(minimum: Int, got: Int)
    /// `opset` above what this build's ONNX writer knows.
    case opsetTooHigh(maximum: Int, got: Int)
    /// A layer without a lowering into the export graph.
    case unsupportedLayer(path: String, type: String)
    /// An op the target format's writer cannot express.
    case unsupportedOp(format: String, op: String, node: String)
    /// The artefact could not be written (`file` names the destination).
    case writeFailed(file: String, reason: String)
    /// The written artefact is implausibly small (the reference treats < 0.1 MB as a failure).
    case artifactTooSmall(file: String, megabytes: Double)

    public var description: String {
        switch self {
        case .invalidFormat(let f, let pt):
            let list = "(" + ExportFormat.all.map { "'\($0.name)'" }.joined(separator: ", ") + ")"
            return (pt ? "Model is already in PyTorch format." : "Invalid export format='\(f)'.") + " Valid formats are \(list)"
        case .formatNotImplemented(let f, let display):
            let available = ExportFormatRegistry.implementedFormats.map { "'\($0)'" }.joined(separator: ", ")
            return "format='\(f)' (\(display)) export is not implemented in this build yet; available: \(available)"
        case .argumentNotSupported(let a, let f):
            return "ERROR ❌️ argument '\(a)' is not supported for format='\(f)'"
        case .quantizeNotSupported(let q, let f, let hint):
            return "ERROR ❌️ quantize=\(q) is not supported; format='\(f)' supports quantize=\(hint). See https://docs.ultralytics.com/modes/export#quantization-options"
        case .quantizeNotImplemented(let f, let q):
            return "format='\(f)' with quantize=\(q) is not implemented in this build yet (FP32 and FP16 are)"
        case .invalidArgument(let m):
            return m
        case .opsetTooLow(let minimum, let got):
            return "ONNX export requires opset>=\(minimum) for this model, but got opset=\(got)"
        case .opsetTooHigh(let maximum, let got):
            return "ONNX export supports opset<=\(maximum) in this build, but got opset=\(got)"
        case .unsupportedLayer(let path, let type):
            return "layer '\(path)' (\(type)) cannot be exported: no lowering for it"
        case .unsupportedOp(let f, let op, let node):
            return "\(f) writer cannot express op '\(op)' (node '\(node)')"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write the export: \(reason)"
        case .artifactTooSmall(let file, let mb):
            return "\(String(format: "%.3f", mb)) MB output model too small (likely corrupt or unsupported ops): \(file)"
        }
    }
}
