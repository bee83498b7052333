import Foundation
import YOLOEngine

extension CLIValue {
    /// Parses a command-line value the way the reference grammar does: `none`/`true`/`false` in any case, then a
    /// Python literal (int, float, quoted string, list, tuple — a bare `640,480` is a tuple), else the raw text.
    ///
    /// Literals this parser does not model (dicts, sets, bytes, complex numbers, `module.CONSTANT`) stay raw strings.
    public static func parse(_ text: String) -> CLIValue {
        switch text.lowercased() {
        case "none": return .none
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        var p = LiteralParser(text)
        if let v = p.parseTopLevel() { return v }
        return .string(text)
    }
}

/// A recursive-descent reader for the subset of Python literal syntax that config values use.
struct LiteralParser {
    private let chars: [Character]
    private var pos = 0
    private var depth = 0
    /// Python's tokenizer refuses more than 200 nested brackets ("too many nested parentheses"), so the reference's
    /// literal evaluation fails and the value stays a string; the same limit keeps this parser's recursion shallow.
    static let maxDepth = 200

    init(_ text: String) { chars = Array(text) }

    /// The whole text as one literal, or nil when it is not one. A top-level comma makes a tuple.
    mutating func parseTopLevel() -> CLIValue? {
        skipSpace()
        guard let first = parseValue() else { return nil }
        skipSpace()
        if pos == chars.count { return first }
        guard peek == "," else { return nil }
        var items = [first]
        while peek == "," {
            pos += 1
            skipSpace()
            if pos == chars.count { break }
            guard let v = parseValue() else { return nil }
            items.append(v)
            skipSpace()
        }
        return pos == chars.count ? .list(items) : nil
    }

    private var peek: Character? { pos < chars.count ? chars[pos] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == " " || c == "\t" { pos += 1 }
    }

    private mutating func parseValue() -> CLIValue? {
        skipSpace()
        guard let c = peek else { return nil }
        switch c {
        case "[": return parseSequence(close: "]")
        case "(": return parseSequence(close: ")")
        case "'", "\"": return parseStrings()
        case "+", "-":
            pos += 1
            skipSpace()
            guard let v = parseNumber() else { return nil }
            if c == "+" { return v }
            switch v {
            case .int(let i): return .int(-i)
            case .double(let d): return .double(-d)
            default: return nil
            }
        default:
            if c.isNumber || c == "." { return parseNumber() }
            return parseName()
        }
    }

    /// `[a, b]` → list; `(a, b)` / `(a,)` / `()` → tuple (a list here); `(a)` → a.
    private mutating func parseSequence(close: Character) -> CLIValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return nil }
        pos += 1
        var items: [CLIValue] = []
        var sawComma = false
        skipSpace()
        while peek != close {
            guard let v = parseValue() else { return nil }
            items.append(v)
            skipSpace()
            if peek == "," { pos += 1; sawComma = true; skipSpace() } else if peek != close { return nil }
        }
        pos += 1
        if close == ")" && items.count == 1 && !sawComma { return items[0] }
        return .list(items)
    }

    /// One or more adjacent quoted strings, concatenated as Python does.
    private mutating func parseStrings() -> CLIValue? {
        var out = ""
        while let q = peek, q == "'" || q == "\"" {
            pos += 1
            while true {
                guard let c = peek else { return nil }
                pos += 1
                if c == q { break }
                if c == "\n" { return nil }
                if c == "\\" {
                    guard let e = peek else { return nil }
                    pos += 1
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "0": out.append("\0")
                    case "\\", "'", "\"": out.append(e)
                    default: out.append("\\"); out.append(e)
                    }
                } else {
                    out.append(c)
                }
            }
            skipSpace()
        }
        return .string(out)
    }

    /// `True`, `False`, `None` (case-sensitive inside literals).
    private mutating func parseName() -> CLIValue? {
        var name = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" { name.append(c); pos += 1 }
        switch name {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return CLIValue.none
        default: return nil
        }
    }

    /// Python int (decimal, 0x, 0o, 0b, with `_` separators) or float (`1.5`, `.5`, `5.`, `1e-3`).
    private mutating func parseNumber() -> CLIValue? {
        var token = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "." || ((c == "+" || c == "-") && (token.last == "e" || token.last == "E") && !token.lowercased().hasPrefix("0x")) {
            token.append(c)
            pos += 1
        }
        return LiteralParser.number(token)
    }

    static func number(_ token: String) -> CLIValue? {
        guard let first = token.first, first.isNumber || first == "." else { return nil }
        // Underscores are allowed only between digits.
        if token.contains("__") || token.hasSuffix("_") || token.contains("_.") || token.contains("._") { return nil }
        let lower = token.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            var body = lower.dropFirst(2)
            if body.first == "_" { body = body.dropFirst() }
            let digits = body.replacingOccurrences(of: "_", with: "")
            guard !digits.isEmpty, let v = Int(digits, radix: radix) else { return nil }
            return .int(v)
        }
        let plain = lower.replacingOccurrences(of: "_", with: "")
        guard plain.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-") }) else { return nil }
        if plain.allSatisfy(\.isNumber) {
            // Decimal ints may not have leading zeros (except all zeros).
            if plain.count > 1 && plain.first == "0" && plain.contains(where: { $0 != "0" }) { return nil }
            if let v = Int(plain) { return .int(v) }
            return Double(plain).map { .double($0) }
        }
        // Float: digits with at most one '.', optional exponent with digits.
        let parts = plain.split(separator: "e", omittingEmptySubsequences: false)
        guard parts.count <= 2, let mant = parts.first, !mant.isEmpty, mant != ".",
              mant.filter({ $0 == "." }).count <= 1, mant.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        if parts.count == 2 {
            var e = parts[1]
            if e.first == "+" || e.first == "-" { e = e.dropFirst() }
            guard !e.isEmpty, e.allSatisfy(\.isNumber) else { return nil }
        }
        return Double(plain).map { .double($0) }
    }
}
