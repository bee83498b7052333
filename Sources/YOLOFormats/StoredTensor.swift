import Foundation

/// Element types a stored tensor can have.
public enum TensorDType: String, Sendable, CaseIterable {
    case float16, bfloat16, float32, float64, int64, int32, int16, int8, uint8, bool

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    /// The dtype code used in safetensors headers ("F16", "BF16", "F32", ...).
    public var safetensorsCode: String {
        switch self {
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        case .int64: return "I64"
        case .int32: return "I32"
        case .int16: return "I16"
        case .int8: return "I8"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    /// Parses a safetensors dtype code.
    public init?(safetensorsCode code: String) {
        guard let match = TensorDType.allCases.first(where: { $0.safetensorsCode == code }) else { return nil }
        self = match
    }

    /// Maps a legacy torch storage class name (e.g. "HalfStorage") to its element type.
    public init?(torchStorageName name: String) {
        switch name {
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "FloatStorage": self = .float32
        case "DoubleStorage": self = .float64
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage", "UntypedStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }
}

/// A tensor read from a file: shape, dtype and its contiguous row-major little-endian bytes.
public struct StoredTensor: Sendable {
    /// Dimensions; `[]` for a scalar.
    public let shape: [Int]
    /// Element type.
    public let dtype: TensorDType
    /// Exactly `count * dtype.itemSize` bytes, row-major, little-endian, starting at index 0.
    public let bytes: Data

    /// Creates a tensor from raw little-endian row-major bytes.
    /// - Precondition: `bytes.count == shape.product * dtype.itemSize` and no dimension is negative.
    public init(shape: [Int], dtype: TensorDType, bytes: Data) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.itemSize,
                     "byte count \(bytes.count) does not match shape \(shape) of \(dtype)")
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes.startIndex == 0 ? bytes : Data(bytes)
    }

    /// Creates a floating-point tensor from Float32 values, encoding them as `dtype`
    /// (float16 / bfloat16 round to nearest even). Integer dtypes truncate toward zero.
    public init(shape: [Int], floats: [Float], dtype: TensorDType = .float32) {
        precondition(floats.count == shape.reduce(1, *), "value count \(floats.count) does not match shape \(shape)")
        var data = Data(count: floats.count * dtype.itemSize)
        data.withUnsafeMutableBytes { raw in
            // One loop per dtype, so the hot float16/float32 paths have no per-element switch.
            switch dtype {
            case .float16:
                let out = raw.bindMemory(to: UInt16.self)
                for (i, v) in floats.enumerated() { out[i] = HalfConversion.halfBits(from: v).littleEndian }
            case .float32:
                let out = raw.bindMemory(to: UInt32.self)
                for (i, v) in floats.enumerated() { out[i] = v.bitPattern.littleEndian }
            default:
                for (i, v) in floats.enumerated() {
                    let o = i * dtype.itemSize
                    switch dtype {
                    case .bfloat16: raw.storeBytes(of: HalfConversion.bfloat16Bits(from: v).littleEndian, toByteOffset: o, as: UInt16.self)
                    case .float64: raw.storeBytes(of: Double(v).bitPattern.littleEndian, toByteOffset: o, as: UInt64.self)
                    case .int64: raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: o, as: Int64.self)
                    case .int32: raw.storeBytes(of: Int32(v).littleEndian, toByteOffset: o, as: Int32.self)
                    case .int16: raw.storeBytes(of: Int16(v).littleEndian, toByteOffset: o, as: Int16.self)
                    case .int8: raw.storeBytes(of: Int8(v), toByteOffset: o, as: Int8.self)
                    case .uint8: raw.storeBytes(of: UInt8(v), toByteOffset: o, as: UInt8.self)
                    case .bool: raw.storeBytes(of: UInt8(v != 0 ? 1 : 0), toByteOffset: o, as: UInt8.self)
                    case .float16, .float32: break
                    }
                }
            }
        }
        self.init(shape: shape, dtype: dtype, bytes: data)
    }

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// All elements converted to Float32 (float16/bfloat16 exactly, wider types rounded).
    public func floats() -> [Float] {
        let n = count
        let dtype = self.dtype
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                switch dtype {
                case .float16:
                    for i in 0..<n { out[i] = HalfConversion.float(fromHalfBits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                case .bfloat16:
                    for i in 0..<n { out[i] = HalfConversion.float(fromBFloat16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                case .float32:
                    for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .float64:
                    for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                case .int64:
                    for i in 0..<n { out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
                case .int32:
                    for i in 0..<n { out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
                case .int16:
                    for i in 0..<n { out[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
                case .int8:
                    for i in 0..<n { out[i] = Float(raw.load(fromByteOffset: i, as: Int8.self)) }
                case .uint8:
                    for i in 0..<n { out[i] = Float(raw[i]) }
                case .bool:
                    for i in 0..<n { out[i] = raw[i] != 0 ? 1 : 0 }
                }
            }
            initialized = n
        }
    }

    /// All elements converted to Int (floating values truncated toward zero; NaN/inf become 0).
    public func ints() -> [Int] {
        switch dtype {
        case .float16, .bfloat16, .float32, .float64:
            return floats().map { $0.isFinite && abs($0) < 9.0e18 ? Int($0) : 0 }
        default:
            let n = count
            let dtype = self.dtype
            return bytes.withUnsafeBytes { raw in
                (0..<n).map { i -> Int in
                    switch dtype {
                    case .int64: return Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    case .int32: return Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case .int16: return Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                    case .int8: return Int(raw.load(fromByteOffset: i, as: Int8.self))
                    default: return Int(raw[i])
                    }
                }
            }
        }
    }
}

extension StoredTensor: Equatable {
    /// Tensors are equal when shape, dtype and bytes are identical.
    public static func == (lhs: StoredTensor, rhs: StoredTensor) -> Bool {
        lhs.shape == rhs.shape && lhs.dtype == rhs.dtype && lhs.bytes == rhs.bytes
    }
}
