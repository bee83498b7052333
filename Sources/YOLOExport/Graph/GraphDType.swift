/// Element type of a graph tensor.
public enum GraphDType: String, Sendable, Hashable, CaseIterable {
    case float32, float16, int64, int32, int8, uint8, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16: return 2
        case .int64: return 8
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloat: Bool { self == .float32 || self == .float16 }
}

/// One dimension of a tensor shape: a fixed size or a named symbolic size (`batch`, `height`, `anchors`).
public enum GraphDim: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbolic(String)

    /// The size when fixed.
    public var value: Int? {
        if case .fixed(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let v): return String(v)
        case .symbolic(let s): return s
        }
    }
}

extension Array where Element == GraphDim {
    /// The sizes when every dimension is fixed.
    public var fixedValues: [Int]? {
        var out: [Int] = []
        for d in self {
            guard let v = d.value else { return nil }
            out.append(v)
        }
        return out
    }
}
