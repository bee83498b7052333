import Foundation

extension TorchScriptMetadata {
    /// One line of JSON as Python's `json.dumps(metadata)` writes it: `", "` and `": "` separators, keys in order,
    /// `null` / `true` / `false`, non-ASCII and control characters escaped as `\uXXXX`.
    public var json: String {
        var out = ""
        Self.write(.dict(entries), to: &out)
        return out
    }

    static func write(_ value: Value, to out: inout String) {
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += pythonFloat(d)
        case .string(let s): writeString(s, to: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, to: &out)
            }
            out += "]"
        case .dict(let items):
            out += "{"
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                writeString(item.key, to: &out)
                out += ": "
                write(item.value, to: &out)
            }
            out += "}"
        }
    }

    /// Python's float repr as JSON (`1.0`, `0.001`, `1e-05`; non-finite values as `NaN` / `Infinity`).
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        var s = "\(d)"
        if let e = s.firstIndex(of: "e") {
            // Swift writes "1e-05" like Python; Python adds "+" to positive exponents ("1e+16").
            let exponent = s[s.index(after: e)...]
            if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { s.insert("+", at: s.index(after: e)) }
        }
        return s
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}
