/// A value written as a Python literal: what `str()` gives for the dicts, lists, tuples, strings, numbers, booleans
/// and `None` that Ultralytics stores in an ONNX file's `metadata_props` (`{0: 'person'}`, `[17, 3]`,
/// `{'batch': 1, 'nms': None, …}`). Parse one with `PythonLiteral(parsing:)`.
public indirect enum PythonLiteral: Equatable, Sendable, CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([PythonLiteral])
    case tuple([PythonLiteral])
    /// Key/value pairs in written order.
    case dict([PythonLiteralPair])
    /// Something that is not a literal, e.g. `PosixPath('a')`, kept as written.
    case opaque(String)

    /// The integer value (also for a float with no fractional part and for booleans, as Python's `int()`).
    public var int: Int? {
        switch self {
        case .int(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .float(let d) where d.rounded() == d && abs(d) < 1e18: return Int(d)
        case .string(let s): return Int(s)
        default: return nil
        }
    }

    /// The numeric value.
    public var double: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .float(let d): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    /// The string value.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Python truthiness (None, False, 0, '' and empty containers are false).
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        case .opaque: return true
        }
    }

    /// The elements of a list or tuple.
    public var elements: [PythonLiteral]? {
        switch self {
        case .list(let a), .tuple(let a): return a
        default: return nil
        }
    }

    /// The pairs of a dict.
    public var pairs: [PythonLiteralPair]? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// The value of a dict entry whose key is the string `key`.
    public subscript(key: String) -> PythonLiteral? {
        pairs?.first { $0.key == .string(key) }?.value
    }

    /// Python's `repr` of the value (strings single-quoted).
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let v): return String(v)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            return d.rounded() == d && abs(d) < 1e16 ? String(format: "%.1f", d) : String(d)
        case .string(let s):
            return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .list(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let a): return "(" + a.map(\.description).joined(separator: ", ") + (a.count == 1 ? ",)" : ")")
        case .dict(let d): return "{" + d.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .opaque(let s): return s
        }
    }
}

/// One `key: value` entry of a `PythonLiteral.dict`.
public struct PythonLiteralPair: Equatable, Sendable {
    public var key: PythonLiteral
    public var value: PythonLiteral
    public init(_ key: PythonLiteral, _ value: PythonLiteral) {
        self.key = key
        self.value = value
    }
}
