import Foundation
import YOLOModel

/// One parsed command-line or config value, with the Python types the reference grammar produces.
///
/// Tuples parse to `.list` (the grammar treats `imgsz=640,480` and `imgsz=[640,480]` alike).
public indirect enum CLIValue: Equatable, Sendable, CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([CLIValue])

    /// The Python type name used in error messages (`int`, `float`, `str`, `bool`, `list`, `NoneType`).
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        }
    }

    /// The value as Python's `str()` prints it: `True`, `None`, `0.5`, `abc`, `[640, 'a']`.
    public var description: String {
        switch self {
        case .string(let s): return s
        default: return repr
        }
    }

    /// The value as Python's `repr()` prints it (strings quoted).
    public var repr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return CLIValue.pythonFloat(d)
        case .string(let s): return CLIValue.pythonQuote(s)
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        }
    }

    /// The value as the YAML dumper writes a scalar (`null`, `true`, `0.5`, `auto`).
    public var yaml: String {
        switch self {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int, .double: return repr
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.yaml).joined(separator: ", ") + "]"
        }
    }

    /// Python truthiness: `None`, `False`, `0`, `0.0`, `''` and `[]` are false.
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        }
    }

    public var isNone: Bool { self == .none }

    /// Int, float or bool: Python bools are ints, so the reference's numeric checks accept them.
    public var isNumber: Bool {
        switch self {
        case .int, .double, .bool: return true
        default: return false
        }
    }

    /// The numeric value of an int, float or bool.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Converts a YAML value (from a `cfg=file.yaml` override).
    public init(_ node: ConfigNode) {
        switch node {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map(CLIValue.init))
        case .map(let m): self = .string("{" + m.map { "'\($0.0)': \(CLIValue($0.1).repr)" }.joined(separator: ", ") + "}")
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16.
    public static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-layout them Python's way.
        let text = "\(abs(d))"
        var mantissa = text, exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = mantissa.replacingOccurrences(of: ".", with: "")
        let point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exp
        // Normalize: strip leading zeros (adjusting the point) and trailing zeros.
        var pointPos = point
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); pointPos -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let decExp = pointPos - 1   // exponent of the first digit
        let sign = d < 0 ? "-" : ""
        if decExp < -4 || decExp >= 16 {
            var m = String(digits.first!)
            if digits.count > 1 { m += "." + digits.dropFirst() }
            let e = decExp < 0 ? "-" + String(format: "%02d", -decExp) : "+" + String(format: "%02d", decExp)
            return sign + m + "e" + e
        }
        if pointPos <= 0 { return sign + "0." + String(repeating: "0", count: -pointPos) + digits }
        if pointPos >= digits.count { return sign + digits + String(repeating: "0", count: pointPos - digits.count) + ".0" }
        let i = digits.index(digits.startIndex, offsetBy: pointPos)
        return sign + digits[..<i] + "." + digits[i...]
    }

    /// Python's `repr(str)` quoting: single quotes unless the text has a single quote and no double quote.
    public static func pythonQuote(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case q: out += "\\" + String(q)
            default: out.append(c)
            }
        }
        return out + String(q)
    }
}

extension CLIValue {
    /// The value as a config tree node (the trainer's argument type).
    public var configNode: ConfigNode {
        switch self {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let l): return .list(l.map(\.configNode))
        }
    }
}
