import Foundation
import YOLOFormats

extension ConfigNode {
    /// Converts a plain pickled Python value (dicts, lists, scalars) to a config tree.
    public init(pickle v: PickleValue) {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .list(let l), .tuple(let l), .set(let l): self = .list(l.map(ConfigNode.init(pickle:)))
        case .dict(let items):
            self = .map(items.map { k, v in (k.stringValue ?? k.intValue.map(String.init) ?? "\(k)", ConfigNode(pickle: v)) })
        default: self = .string("\(v)")
        }
    }

    /// JSON text of this tree (YAML readers accept it too).
    public var json: String {
        switch self {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s):
            let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
            let t = String(decoding: data, as: UTF8.self)
            return String(t.dropFirst().dropLast())
        case .list(let l): return "[" + l.map(\.json).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { ConfigNode.string($0.0).json + ": " + $0.1.json }.joined(separator: ", ") + "}"
        }
    }
}
