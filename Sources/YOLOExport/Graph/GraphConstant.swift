import YOLOFormats

/// The values of a constant tensor, row-major, in its element type.
public enum GraphTensorData: Sendable, Equatable {
    case float32([Float])
    /// IEEE binary16 bit patterns.
    case float16([UInt16])
    case int64([Int64])
    case int32([Int32])
    case int8([Int8])
    case uint8([UInt8])
    case bool([Bool])

    public var dtype: GraphDType {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .int64: return .int64
        case .int32: return .int32
        case .int8: return .int8
        case .uint8: return .uint8
        case .bool: return .bool
        }
    }

    /// Element count.
    public var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float16(let v): return v.count
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .int8(let v): return v.count
        case .uint8(let v): return v.count
        case .bool(let v): return v.count
        }
    }
}

/// A constant tensor of the graph (an ONNX initializer): weights, biases, anchor tables, shape vectors.
public struct GraphConstant: Sendable, Equatable {
    public var name: String
    /// Dimensions; `[]` is a scalar.
    public var shape: [Int]
    public var data: GraphTensorData

    public init(name: String, shape: [Int], data: GraphTensorData) {
        precondition(shape.reduce(1, *) == data.count,
                     "GraphConstant \(name): \(data.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.data = data
    }

    /// A float32 constant.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, shape: shape, data: .float32(floats))
    }

    /// An int64 constant.
    public init(name: String, shape: [Int], int64s: [Int64]) {
        self.init(name: name, shape: shape, data: .int64(int64s))
    }

    public var dtype: GraphDType { data.dtype }
    public var count: Int { data.count }
    public var byteCount: Int { count * dtype.byteSize }

    /// The values as Float (float16 widened exactly, integers converted); nil for bool.
    public var floatValues: [Float]? {
        switch data {
        case .float32(let v): return v
        case .float16(let v): return v.map(HalfConversion.float(fromHalfBits:))
        case .int64(let v): return v.map(Float.init)
        case .int32(let v): return v.map(Float.init)
        case .int8(let v): return v.map(Float.init)
        case .uint8(let v): return v.map(Float.init)
        case .bool: return nil
        }
    }

    /// The values as Int64 for integer and bool constants (floats are not converted); nil otherwise.
    public var intValues: [Int64]? {
        switch data {
        case .int64(let v): return v
        case .int32(let v): return v.map(Int64.init)
        case .int8(let v): return v.map(Int64.init)
        case .uint8(let v): return v.map(Int64.init)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .float32, .float16: return nil
        }
    }

    /// The same constant stored as float16 (round to nearest even); other types unchanged.
    public func convertedToFloat16() -> GraphConstant {
        guard case .float32(let v) = data else { return self }
        return GraphConstant(name: name, shape: shape, data: .float16(v.map(HalfConversion.halfBits(from:))))
    }

    /// Little-endian bytes of the values (ONNX `raw_data`, OpenVINO `.bin`, ncnn weight blobs).
    public var littleEndianBytes: [UInt8] {
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        switch data {
        case .float32(let v): return bytes(v)
        case .float16(let v): return bytes(v)
        case .int64(let v): return bytes(v)
        case .int32(let v): return bytes(v)
        case .int8(let v): return bytes(v)
        case .uint8(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        }
    }
}
