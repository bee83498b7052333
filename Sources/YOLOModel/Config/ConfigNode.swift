import Foundation
import Yams

/// A YAML-like value: the model definition as read from a YAML file or from the `yaml` dict pickled
/// inside a checkpoint.
public indirect enum ConfigNode: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigNode])
    case map([(String, ConfigNode)])

    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Value for `key` in a map.
    public subscript(key: String) -> ConfigNode? {
        if case .map(let items) = self { return items.first { $0.0 == key }?.1 }
        return nil
    }

    public var int: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v) where v == v.rounded(): return Int(exactly: v)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var list: [ConfigNode]? { if case .list(let l) = self { return l }; return nil }
    public var isNone: Bool { if case .none = self { return true }; return false }

    /// Python truthiness (None, False, 0, "", [] and {} are false).
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        }
    }

    /// Parses YAML text (Ultralytics model or data YAML).
    /// Refuses texts nested deeper than `maxYAMLDepth` or whose aliases expand past a budget proportional to the
    /// text's size (`YAMLLimitError`).
    public static func parse(yaml text: String) throws -> ConfigNode {
        try checkNesting(text)
        guard let node = try Yams.compose(yaml: text) else { return .map([]) }
        let limit = expansionBudget(forTextOf: text.utf8.count)
        var budget = limit
        do { return try convert(node, budget: &budget) } catch YAMLLimitError.tooLarge { throw YAMLLimitError.tooLarge(limit: limit) }
    }

    private static func convert(_ node: Yams.Node, budget: inout Int) throws -> ConfigNode {
        budget -= 1
        guard budget >= 0 else { throw YAMLLimitError.tooLarge(limit: expansionBudget(forTextOf: 0)) }
        switch node {
        case .scalar(let s):
            // Go by the tag the YAML resolver assigned (its patterns are exact); constructing blindly would
            // read strings with colons, such as URLs, as sexagesimal integers.
            if s.style != .plain { return .string(s.string) }
            switch Tag.Name(rawValue: node.tag.description) {
            case .bool: return Bool.construct(from: s).map(ConfigNode.bool) ?? .string(s.string)
            case .int:
                // Yams' base-60 construction traps on overflow (found by the data-yaml fuzzer); read those here.
                if s.string.contains(":") { return sexagesimalInt(s.string) }
                return Int.construct(from: s).map(ConfigNode.int) ?? .string(s.string)
            case .float: return Double.construct(from: s).map(ConfigNode.double) ?? .string(s.string)
            case .null: return .none
            default: return .string(s.string)
            }
        case .sequence(let seq):
            var items: [ConfigNode] = []
            items.reserveCapacity(seq.count)
            for child in seq { items.append(try convert(child, budget: &budget)) }
            return .list(items)
        case .mapping(let map):
            var items: [(String, ConfigNode)] = []
            for (k, v) in map {
                // Python's YAML loader refuses list and mapping keys ("unhashable"); describing one here would also
                // expand its aliases outside the budget.
                guard let key = k.string else { throw YAMLLimitError.unhashableKey(line: k.mark?.line ?? 0) }
                items.append((key, try convert(v, budget: &budget)))
            }
            return .map(items)
        }
    }

    /// A YAML 1.1 base-60 integer (`-1_000:20:30`) with checked arithmetic: an int when it fits, else the nearest
    /// double (Python's YAML would give an arbitrary-precision int), else the text.
    static func sexagesimalInt(_ text: String) -> ConfigNode {
        var body = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = body.first == "-"
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return .string(text) }
        var value = 0, overflow = false, approx = 0.0
        for p in parts.map({ $0! }) {
            approx = approx * 60 + Double(p)
            let (m, o1) = value.multipliedReportingOverflow(by: 60)
            let (a, o2) = m.addingReportingOverflow(p)
            overflow = overflow || o1 || o2
            value = a
        }
        if overflow { return .double(negative ? -approx : approx) }
        return .int(negative ? -value : value)
    }
}
