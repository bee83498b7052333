import Foundation

extension PickleValue {
    /// Looks up a string key in a dict, or an attribute of an object (BUILD state, then SETITEMS items).
    public subscript(key: String) -> PickleValue? {
        switch self {
        case .dict(let items):
            for (k, v) in items where k.stringValue == key { return v }
            return nil
        case .object(let object):
            return object[key]
        default:
            return nil
        }
    }

    /// Looks up an integer key in a dict (e.g. `names[0]`).
    public subscript(intKey key: Int) -> PickleValue? {
        guard case .dict(let items) = self else { return nil }
        for (k, v) in items where k.intValue == key { return v }
        return nil
    }

    /// The integer value of `.int` or `.bool`.
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The numeric value of `.float`, `.int` or `.bool`.
    public var doubleValue: Double? {
        switch self {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The value of `.string`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of `.bool`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of a `.list`, `.tuple` or `.set`.
    public var arrayValue: [PickleValue]? {
        switch self {
        case .list(let a), .tuple(let a), .set(let a): return a
        default: return nil
        }
    }

    /// The items of a `.dict`.
    public var dictValue: [(PickleValue, PickleValue)]? {
        if case .dict(let items) = self { return items }
        return nil
    }

    /// The tensor of a `.tensor`.
    public var tensorValue: StoredTensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    /// The object of an `.object`.
    public var objectValue: PickleObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether the value is Python `None`.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// Python truthiness: None, False, 0, 0.0, empty str/bytes/containers are false. Tensors follow
    /// `bool(tensor)` only for one element; others count as true. Objects and globals are true.
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .float(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .bytes(let d): return !d.isEmpty
        case .list(let a), .tuple(let a), .set(let a): return !a.isEmpty
        case .dict(let items): return !items.isEmpty
        case .tensor(let t): return t.count == 1 ? t.floats().first != 0 : true
        case .global, .object: return true
        }
    }

    /// A dict with string keys converted to a Swift dictionary (non-string keys are skipped; last one wins).
    public var stringKeyedDictionary: [String: PickleValue]? {
        guard case .dict(let items) = self else { return nil }
        var result: [String: PickleValue] = [:]
        for (k, v) in items { if let key = k.stringValue { result[key] = v } }
        return result
    }

    /// A short type name for messages ("dict", "list", "PoseModel", ...).
    public var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .tensor: return "tensor"
        case .global(let m, let n): return "global \(m).\(n)"
        case .object(let o): return o.qualifiedName
        }
    }
}
