import Foundation
import YOLOEngine

/// A Python value as the reference's metadata holds it (None, bool, int, float, str, list, dict with ordered keys),
/// with the encodings each format needs: `str()`/`repr()` (ONNX `metadata_props`, CoreML), `json.dumps` (TorchScript,
/// MNN) and PyYAML block style (`metadata.yaml`, see `MetadataYAMLWriter`).
public indirect enum MetadataValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([MetadataValue])
    case dict([MetadataPair])

    /// Python `repr()`: `None`, `True`, `1.0`, `'person'`, `[320, 320]`, `{0: 'person'}`.
    public var pythonRepr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return CLIValue.pythonFloat(d)
        case .string(let s): return CLIValue.pythonQuote(s)
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let pairs): return "{" + pairs.map { "\($0.key.pythonRepr): \($0.value.pythonRepr)" }.joined(separator: ", ") + "}"
        }
    }

    /// Python `str()`: strings bare, everything else as `repr()`.
    public var pythonStr: String {
        if case .string(let s) = self { return s }
        return pythonRepr
    }

    /// `json.dumps` with its defaults: `", "`/`": "` separators, ASCII-only strings, dict keys as strings.
    public var json: String {
        switch self {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return CLIValue.pythonFloat(d)
        case .string(let s): return MetadataValue.jsonQuote(s)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ", ") + "]"
        case .dict(let pairs):
            return "{" + pairs.map { "\(MetadataValue.jsonQuote($0.key.jsonKey)): \($0.value.json)" }.joined(separator: ", ") + "}"
        }
    }

    /// A dict key as `json.dumps` converts it (`0` → `"0"`, `True` → `"true"`, `None` → `"null"`).
    var jsonKey: String {
        switch self {
        case .string(let s): return s
        case .none, .bool, .int, .float: return json
        case .list, .dict: return pythonRepr
        }
    }

    /// A JSON string literal with Python's `ensure_ascii` escaping.
    static func jsonQuote(_ s: String) -> String { pythonJSONString(s) }

    /// A dict with string keys, in order.
    public static func dict(_ pairs: [(String, MetadataValue)]) -> MetadataValue {
        .dict(pairs.map { MetadataPair(key: .string($0.0), value: $0.1) })
    }

    /// The value of string key `key` in a dict.
    public subscript(key: String) -> MetadataValue? {
        guard case .dict(let pairs) = self else { return nil }
        return pairs.first { $0.key == .string(key) }?.value
    }
}

/// One key/value entry of a `MetadataValue.dict`.
public struct MetadataPair: Sendable, Equatable {
    public var key: MetadataValue
    public var value: MetadataValue

    public init(key: MetadataValue, value: MetadataValue) {
        self.key = key
        self.value = value
    }
}
