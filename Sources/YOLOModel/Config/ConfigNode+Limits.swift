import Foundation

/// Why a YAML text was refused before or while it was composed: too deeply nested for a recursive parser, or aliases
/// that expand to far more nodes than the text could reasonably describe (a "billion laughs" document).
public enum YAMLLimitError: Error, Equatable, CustomStringConvertible {
    case tooDeep(limit: Int, line: Int)
    case tooLarge(limit: Int)
    case unhashableKey(line: Int)

    public var description: String {
        switch self {
        case .tooDeep(let limit, let line): return "nested deeper than \(limit) levels (line \(line))"
        case .tooLarge(let limit): return "aliases expand to more than \(limit) values"
        case .unhashableKey(let line): return "a mapping key is a list or mapping (line \(line)), which YAML loaders refuse"
        }
    }
}

extension ConfigNode {
    /// Deepest nesting a YAML text may have; real configuration files nest fewer than ten levels.
    public static let maxYAMLDepth = 512

    /// Most values a YAML text of `byteCount` bytes may expand to once aliases are resolved.
    static func expansionBudget(forTextOf byteCount: Int) -> Int {
        max(100_000, min(byteCount, Int.max / 64) * 64)
    }

    /// An upper bound on the nesting depth of a YAML text, found without parsing it: the flow depth (`[`/`{` outside
    /// quotes and comments) plus, per line, the indentation and the number of block indicators (`- `, `? `, `: `).
    /// Every nested collection needs one of those, so the true depth never exceeds this bound; throws when the bound
    /// passes `maxYAMLDepth`, before a recursive composer could exhaust the stack.
    static func checkNesting(_ text: String) throws {
        var flow = 0, lineNo = 1, lineBound = 0, indent = 0, atIndent = true
        var quote: UInt8 = 0, escaped = false, inComment = false, previous: UInt8 = 0x0A
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            defer { previous = c; i += 1 }
            if c == 0x0A {
                lineNo += 1; lineBound = 0; indent = 0; atIndent = true; inComment = false
                if flow == 0 { quote = 0 }
                continue
            }
            if inComment { continue }
            if quote != 0 {
                if escaped { escaped = false } else if quote == 0x22 && c == 0x5C { escaped = true } else if c == quote {
                    quote = 0
                }
                continue
            }
            if atIndent {
                if c == 0x20 { indent += 1; continue }
                atIndent = false
            }
            let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0x0A
            let spaceAfter = next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09
            let boundary = previous == 0x20 || previous == 0x0A || previous == 0x09 || previous == 0x5B
                || previous == 0x7B || previous == 0x2C
            switch c {
            case 0x23 where boundary: inComment = true                        // '#'
            case 0x22, 0x27: if boundary || previous == 0x3A { quote = c }    // '"', "'"
            case 0x5B, 0x7B: flow += 1                                        // '[', '{'
            case 0x5D, 0x7D: flow = max(0, flow - 1)                          // ']', '}'
            case 0x2D, 0x3F, 0x3A: if spaceAfter { lineBound += 1 }           // '-', '?', ':'
            default: break
            }
            if flow + indent + lineBound > maxYAMLDepth {
                throw YAMLLimitError.tooDeep(limit: maxYAMLDepth, line: lineNo)
            }
        }
    }
}
