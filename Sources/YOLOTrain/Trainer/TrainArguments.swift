import Foundation
import YOLOEngine
import YOLOModel

/// The resolved training arguments: every key of the reference's default configuration in its order, with the
/// user's values applied (what `args.yaml` and a checkpoint's `train_args` hold), plus typed accessors.
public struct TrainArguments: Sendable {
    public private(set) var entries: [(key: String, value: ConfigNode)]

    /// Arguments from an ordered key/value list (the CLI passes the defaults merged with its overrides).
    public init(_ entries: [(key: String, value: ConfigNode)]) { self.entries = entries }

    /// The reference's default configuration (every key of `default.yaml`, in order).
    public static var defaults: [(key: String, value: ConfigNode)] {
        DefaultConfig.entries.map { (key: $0.key, value: $0.value.configNode) }
    }

    public subscript(key: String) -> ConfigNode {
        get {
            ArgumentReads.note(key)
            return entries.first { $0.key == key }?.value ?? .none
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) { entries[i].value = newValue }
            else { entries.append((key, newValue)) }
        }
    }

    public func int(_ key: String) -> Int? { self[key].int }
    public func double(_ key: String) -> Double? { self[key].double }
    public func string(_ key: String) -> String? {
        switch self[key] {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "True" : "False"
        default: return nil
        }
    }
    /// Python truthiness.
    public func bool(_ key: String) -> Bool { self[key].isTruthy }
    public func isNone(_ key: String) -> Bool { self[key].isNone }

    /// `args.yaml` as the reference writes it (`key: value` per line, Python-style scalars).
    public var yaml: String {
        entries.map { e in
            if case .list(let items) = e.value, !items.isEmpty {
                return "\(e.key):\n" + items.map { "- \(Self.yamlScalar($0))" }.joined(separator: "\n")
            }
            return "\(e.key): \(Self.yamlScalar(e.value))"
        }.joined(separator: "\n") + "\n"
    }

    /// The reference's one-line argument summary (`task=pose, mode=train, …`).
    public var summary: String {
        entries.map { "\($0.key)=\(Self.pyStr($0.value))" }.joined(separator: ", ")
    }

    /// Python's `str()` of a value.
    static func pyStr(_ v: ConfigNode) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return CLIValue.pythonFloat(d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map { if case .string(let s) = $0 { return "'\(s)'" }; return pyStr($0) }.joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "'\($0.0)': \(pyStr($0.1))" }.joined(separator: ", ") + "}"
        }
    }

    static func yamlScalar(_ v: ConfigNode) -> String {
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return CLIValue.pythonFloat(d)
        case .string(let s): return s.isEmpty || Double(s) != nil || ["true", "false", "null", "yes", "no"].contains(s.lowercased())
                || s.contains(": ") || s.hasPrefix("[") || s.hasPrefix("{") ? "'\(s)'" : s
        case .list(let l): return "[" + l.map(yamlScalar).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.0): \(yamlScalar($0.1))" }.joined(separator: ", ") + "}"
        }
    }
}
