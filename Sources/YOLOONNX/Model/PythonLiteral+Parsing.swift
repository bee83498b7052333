import Foundation

/// Why a string is not a Python literal: the problem and the character offset where it was found.
public struct PythonLiteralError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

extension PythonLiteral {
    /// Parses the Python literal `text` (as `ast.literal_eval` would accept it, plus bare `inf`/`nan` and
    /// non-literal calls such as `PosixPath('x')`, which become `.opaque`).
    /// - Throws: `PythonLiteralError` for malformed text or trailing characters.
    public init(parsing text: String) throws {
        var p = PythonLiteralParser(Array(text.unicodeScalars))
        let value = try p.value()
        p.skipSpace()
        guard p.atEnd else { throw p.error("unexpected '\(p.peek!)'") }
        self = value
    }
}

/// Recursive-descent parser over the unicode scalars of a literal.
struct PythonLiteralParser {
    let s: [Unicode.Scalar]
    var i = 0

    init(_ scalars: [Unicode.Scalar]) { s = scalars }

    var atEnd: Bool { i >= s.count }
    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    func error(_ message: String) -> PythonLiteralError { PythonLiteralError(message: message, offset: i) }

    mutating func skipSpace() {
        while let c = peek, c == " " || c == "\n" || c == "\t" || c == "\r" { i += 1 }
    }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard peek == c else { throw error(atEnd ? "expected '\(c)', found the end" : "expected '\(c)', found '\(peek!)'") }
        i += 1
    }

    mutating func value() throws -> PythonLiteral {
        skipSpace()
        guard let c = peek else { throw error("expected a value, found the end") }
        switch c {
        case "{": return try dict()
        case "[": return .list(try sequence(close: "]"))
        case "(":
            let start = i
            let items = try sequence(close: ")")
            // `(x)` without a comma is just x.
            if items.count == 1, !String(String.UnicodeScalarView(s[start..<i])).contains(",") { return items[0] }
            return .tuple(items)
        case "'", "\"": return .string(try string())
        case "-", "+", ".", "0"..."9": return try number()
        default:
            if c.properties.isAlphabetic || c == "_" { return try identifier() }
            throw error("unexpected '\(c)'")
        }
    }

    mutating func sequence(close: Unicode.Scalar) throws -> [PythonLiteral] {
        i += 1
        var items: [PythonLiteral] = []
        skipSpace()
        if peek == close { i += 1; return items }
        while true {
            items.append(try value())
            skipSpace()
            if peek == "," {
                i += 1
                skipSpace()
                if peek == close { i += 1; return items }
                continue
            }
            try expect(close)
            return items
        }
    }

    mutating func dict() throws -> PythonLiteral {
        i += 1
        var pairs: [PythonLiteralPair] = []
        skipSpace()
        if peek == "}" { i += 1; return .dict(pairs) }
        while true {
            let k = try value()
            try expect(":")
            let v = try value()
            pairs.append(PythonLiteralPair(k, v))
            skipSpace()
            if peek == "," {
                i += 1
                skipSpace()
                if peek == "}" { i += 1; return .dict(pairs) }
                continue
            }
            try expect("}")
            return .dict(pairs)
        }
    }

    mutating func string() throws -> String {
        let quote = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek else { throw error("unterminated string") }
            i += 1
            if c == quote { break }
            guard c == "\\" else { out.append(c); continue }
            guard let e = peek else { throw error("unterminated escape") }
            i += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "0": out.append("\0")
            case "x": out.append(try hexScalar(2))
            case "u": out.append(try hexScalar(4))
            case "U": out.append(try hexScalar(8))
            case "\n": break
            default: out.append(e)
            }
        }
        return String(out)
    }

    mutating func hexScalar(_ n: Int) throws -> Unicode.Scalar {
        guard i + n <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[i..<i + n])), radix: 16),
              let scalar = Unicode.Scalar(v) else { throw error("bad \\x/\\u escape") }
        i += n
        return scalar
    }

    mutating func number() throws -> PythonLiteral {
        let start = i
        if peek == "-" || peek == "+" { i += 1 }
        // `-inf` / `+inf`
        if let c = peek, c.properties.isAlphabetic {
            guard case .float(let d) = try identifier() else { throw error("bad number") }
            return .float(s[start] == "-" ? -d : d)
        }
        while let c = peek, ("0"..."9").contains(c) || c == "." || c == "e" || c == "E" || c == "_"
                || ((c == "-" || c == "+") && (s[i - 1] == "e" || s[i - 1] == "E")) { i += 1 }
        let text = String(String.UnicodeScalarView(s[start..<i])).replacingOccurrences(of: "_", with: "")
        if let v = Int(text) { return .int(v) }
        if let d = Double(text) { return .float(d) }
        throw error("bad number '\(text)'")
    }

    mutating func identifier() throws -> PythonLiteral {
        let start = i
        while let c = peek, c.properties.isAlphabetic || c == "_" || c == "." || ("0"..."9").contains(c) { i += 1 }
        let name = String(String.UnicodeScalarView(s[start..<i]))
        switch name {
        case "None": return .none
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "inf": return .float(.infinity)
        case "nan": return .float(.nan)
        default:
            // A call such as PosixPath('a/b.yaml'): keep its text.
            guard peek == "(" else { throw error("unknown name '\(name)'") }
            var depth = 0
            while let c = peek {
                if c == "'" || c == "\"" { _ = try string(); continue }
                i += 1
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1; if depth == 0 { break } }
            }
            guard depth == 0 else { throw error("unterminated call '\(name)('") }
            return .opaque(String(String.UnicodeScalarView(s[start..<i])))
        }
    }
}
