import Foundation

/// A canonical `quantize` value: 8, 16, 32, `'w8a16'` or `'w8a32'`.
public enum ExportQuantize: Sendable, Equatable, CustomStringConvertible {
    case int8, fp16, fp32, w8a16, w8a32

    /// Parses any accepted spelling (8, 16, 32, int8, fp16, fp32, w8a8, w16a16, w32a32, w8a16, w8a32; case-insensitive).
    ///
    /// - Throws: `ExportError.invalidArgument` with the reference's message otherwise.
    public init(parsing text: String) throws {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "8", "int8", "w8a8": self = .int8
        case "16", "fp16", "w16a16": self = .fp16
        case "32", "fp32", "w32a32": self = .fp32
        case "w8a16": self = .w8a16
        case "w8a32": self = .w8a32
        default:
            throw ExportError.invalidArgument("'quantize=\(text)' is invalid. Valid 'quantize' values are 8, 16, 32, 'int8', 'fp16', 'fp32', 'w8a8', 'w16a16', 'w32a32', 'w8a16', or 'w8a32'. See https://docs.ultralytics.com/modes/export#quantization-options")
        }
    }

    /// As Python prints the canonical value (`16`, `'w8a16'`), for metadata.
    public var metadataValue: MetadataValue {
        switch self {
        case .int8: return .int(8)
        case .fp16: return .int(16)
        case .fp32: return .int(32)
        case .w8a16: return .string("w8a16")
        case .w8a32: return .string("w8a32")
        }
    }

    /// As the reference's error names the precision (`8 (INT8)`, `'w8a16'`).
    var errorLabel: String {
        switch self {
        case .int8: return "8 (INT8)"
        case .fp16: return "16 (FP16)"
        case .fp32: return "32 (FP32)"
        case .w8a16: return "'w8a16'"
        case .w8a32: return "'w8a32'"
        }
    }

    public var description: String {
        switch self {
        case .int8: return "8"
        case .fp16: return "16"
        case .fp32: return "32"
        case .w8a16: return "w8a16"
        case .w8a32: return "w8a32"
        }
    }
}
