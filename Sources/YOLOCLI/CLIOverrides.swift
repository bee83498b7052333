import YOLOEngine
/// User-given `key=value` overrides in the order they first appeared (a later value replaces an earlier one in place),
/// as a Python dict keeps them.
public struct CLIOverrides: Equatable, Sendable {
    /// Keys in first-appearance order.
    public private(set) var keys: [String] = []
    /// Values by key.
    public private(set) var values: [String: CLIValue] = [:]

    public init() {}

    /// Builds from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, CLIValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: String) -> CLIValue? {
        get { values[key] }
        set {
            guard let v = newValue else { remove(key); return }
            if values.updateValue(v, forKey: key) == nil { keys.append(key) }
        }
    }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// Removes and returns the value of `key`.
    @discardableResult
    public mutating func remove(_ key: String) -> CLIValue? {
        guard let v = values.removeValue(forKey: key) else { return nil }
        keys.removeAll { $0 == key }
        return v
    }

    /// Key/value pairs in order.
    public var pairs: [(String, CLIValue)] { keys.map { ($0, values[$0]!) } }
    public var isEmpty: Bool { keys.isEmpty }
}
