import Foundation

/// Writes metadata as PyYAML's `safe_dump(data, sort_keys=False, allow_unicode=True)` does (the reference's
/// `metadata.yaml` in OpenVINO/NCNN/Paddle/… folders): block style, key order kept, sequences in a mapping not
/// indented, scalars quoted only when they would read back as another type or break the syntax, long scalars folded
/// at spaces past column 80.
public enum MetadataYAMLWriter {
    /// The document for a top-level dict (a trailing newline included).
    public static func document(_ value: MetadataValue) -> String {
        var out = ""
        switch value {
        case .dict(let pairs) where !pairs.isEmpty: writeMapping(pairs, indent: 0, into: &out)
        case .list(let items) where !items.isEmpty: writeSequence(items, indent: 0, into: &out)
        default: out = scalar(value, column: 0, continuation: 0) + "\n"
        }
        return out
    }

    private static func writeMapping(_ pairs: [MetadataPair], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for p in pairs {
            let key = scalar(p.key, column: indent, continuation: indent + 2)
            out += pad + key + ":"
            switch p.value {
            case .dict(let inner) where !inner.isEmpty:
                out += "\n"
                writeMapping(inner, indent: indent + 2, into: &out)
            case .list(let items) where !items.isEmpty:
                out += "\n"
                writeSequence(items, indent: indent, into: &out)   // PyYAML does not indent a mapping's sequences
            default:
                let column = indent + key.count + 2
                out += " " + scalar(p.value, column: column, continuation: indent + 2) + "\n"
            }
        }
    }

    private static func writeSequence(_ items: [MetadataValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .dict(let inner) where !inner.isEmpty:
                // First pair on the dash line, the rest aligned under it.
                var nested = ""
                writeMapping(inner, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            case .list(let inner) where !inner.isEmpty:
                var nested = ""
                writeSequence(inner, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            default:
                out += pad + "- " + scalar(item, column: indent + 2, continuation: indent + 2) + "\n"
            }
        }
    }

    /// A scalar (or empty collection) starting at `column`; folded lines continue at `continuation`.
    static func scalar(_ v: MetadataValue, column: Int, continuation: Int) -> String {
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            var r = v.pythonRepr
            if !r.contains("."), let e = r.firstIndex(of: "e") { r.insert(contentsOf: ".0", at: e) }
            return r
        case .list: return "[]"
        case .dict: return "{}"
        case .string(let s):
            if s.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) }) {
                return MetadataValue.jsonQuote(s)   // double-quoted with escapes (never produced by metadata)
            }
            if needsQuotes(s) {
                return fold("'" + s.replacingOccurrences(of: "'", with: "''") + "'", column: column, continuation: continuation)
            }
            return fold(s, column: column, continuation: continuation)
        }
    }

    /// Breaks at single spaces once the line is past column 80 (PyYAML's best width).
    private static func fold(_ text: String, column: Int, continuation: Int) -> String {
        let chars = Array(text)
        var out = "", col = column
        for (i, c) in chars.enumerated() {
            if c == " ", i > 0, i + 1 < chars.count, chars[i - 1] != " ", chars[i + 1] != " ", col > 80 {
                out += "\n" + String(repeating: " ", count: continuation)
                col = continuation
                continue
            }
            out.append(c)
            col += 1
        }
        return out
    }

    /// Whether PyYAML would quote `s` in block context: empty, edge spaces, indicator starts, `: `/` #`, a trailing
    /// colon, or text that its resolver would read as null, bool, int, float or timestamp.
    static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return true }
        if first == " " || last == " " { return true }
        if "#,[]{}&*!|>'\"%@`".contains(first) { return true }
        if "-?:".contains(first) && (s.count == 1 || s.dropFirst().first == " ") { return true }
        if s.contains(": ") || s.contains(" #") || last == ":" { return true }
        if s == "<<" || s == "=" { return true }
        return resolvesToNonString(s)
    }

    private static let patterns: [NSRegularExpression] = [
        "^(?:~|null|Null|NULL)$",
        "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$",
        "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
    ].map { try! NSRegularExpression(pattern: $0) }

    private static func resolvesToNonString(_ s: String) -> Bool {
        let range = NSRange(s.startIndex..., in: s)
        return patterns.contains { $0.firstMatch(in: s, range: range) != nil }
    }
}
