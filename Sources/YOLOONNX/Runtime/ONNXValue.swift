import YOLOTensor

/// Element type of a value in the evaluator. Every ONNX integer type is held as Int64 and every float type as
/// Float (float16 constants are widened, float64 narrowed).
enum ONNXElementType: Equatable {
    case float, int64, bool
}

/// A tensor flowing through the evaluator, with its logical ONNX shape (NCHW for images).
///
/// Float data lives in a `Tensor` buffer (pooled, aligned): either row-major in the logical order (`plain`), or, for
/// rank-4 activations, channels-last (`nhwc`: the buffer holds [N, H, W, C] for logical [N, C, H, W]), which is the
/// layout the oneDNN convolutions, pooling and resize kernels work in. The other layout is produced on demand and
/// cached. The buffer's own `Tensor.shape` is not used (reshapes share buffers). Values are immutable once made.
final class ONNXValue {
    enum Storage {
        case plain(Tensor)
        case nhwc(Tensor)
        case int64([Int64])
        case bool([Bool])
    }

    let shape: [Int]
    let storage: Storage
    private var cachedPlain: Tensor?
    private var cachedNHWC: Tensor?

    init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// A plain float value.
    convenience init(shape: [Int], plain t: Tensor) { self.init(shape: shape, storage: .plain(t)) }
    /// A rank-4 float value stored channels-last; `t` is [N, H, W, C] and the logical shape [N, C, H, W].
    convenience init(nhwc t: Tensor) {
        precondition(t.rank == 4, "ONNXValue(nhwc:): \(t.shape)")
        self.init(shape: [t.shape[0], t.shape[3], t.shape[1], t.shape[2]], storage: .nhwc(t))
    }
    convenience init(shape: [Int], ints: [Int64]) { self.init(shape: shape, storage: .int64(ints)) }
    convenience init(shape: [Int], bools: [Bool]) { self.init(shape: shape, storage: .bool(bools)) }
    /// A plain float value holding `values`.
    convenience init(shape: [Int], floats: [Float]) {
        let t = Tensor(uninitializedShape: [floats.count])
        floats.withUnsafeBufferPointer { t.pointer.update(from: $0.baseAddress!, count: floats.count) }
        self.init(shape: shape, storage: .plain(t))
    }
    /// An int64 scalar or 1-D value.
    static func ints(_ v: [Int64], shape: [Int]? = nil) -> ONNXValue { ONNXValue(shape: shape ?? [v.count], ints: v) }

    var count: Int { shape.reduce(1, *) }
    var rank: Int { shape.count }

    var elementType: ONNXElementType {
        switch storage {
        case .plain, .nhwc: return .float
        case .int64: return .int64
        case .bool: return .bool
        }
    }

    var isNHWC: Bool { if case .nhwc = storage { return true }; return false }

    /// Row-major float buffer in logical order (transposed from channels-last once, then cached).
    func plain() throws -> Tensor {
        switch storage {
        case .plain(let t): return t
        case .nhwc(let t):
            if let c = cachedPlain { return c }
            let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
            let out = Tensor(uninitializedShape: [n, c, h, w])
            Layout.nhwcToNCHW(t.pointer, out.pointer, n: n, c: c, h: h, w: w)
            cachedPlain = out
            return out
        case .int64, .bool: throw kernelError("expected a float tensor, got \(elementType) \(shape)")
        }
    }

    /// Channels-last [N, H, W, C] buffer of a rank-4 float value (transposed once, then cached).
    func nhwc() throws -> Tensor {
        guard rank == 4 else { throw kernelError("expected a 4-D image tensor, got \(shape)") }
        switch storage {
        case .nhwc(let t): return t
        case .plain(let t):
            if let c = cachedNHWC { return c }
            let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
            let out = Tensor(uninitializedShape: [n, h, w, c])
            Layout.nchwToNHWC(t.pointer, out.pointer, n: n, c: c, h: h, w: w)
            cachedNHWC = out
            return out
        case .int64, .bool: throw kernelError("expected a float tensor, got \(elementType) \(shape)")
        }
    }

    /// Float values in logical order as an array (small tensors: constants, test output).
    func floatArray() throws -> [Float] {
        if case .int64(let v) = storage { return v.map(Float.init) }
        if case .bool(let v) = storage { return v.map { $0 ? 1 : 0 } }
        let t = try plain()
        return Array(UnsafeBufferPointer(start: t.pointer, count: count))
    }

    /// Integer values (floats truncated toward zero, booleans 0/1).
    func intArray() throws -> [Int64] {
        switch storage {
        case .int64(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .plain, .nhwc: return try floatArray().map { Int64($0) }
        }
    }

    /// Integer values as Int.
    func ints() throws -> [Int] { try intArray().map { Int(clamping: $0) } }

    /// Boolean values (non-zero is true).
    func boolArray() throws -> [Bool] {
        switch storage {
        case .bool(let v): return v
        case .int64(let v): return v.map { $0 != 0 }
        case .plain, .nhwc: return try floatArray().map { $0 != 0 }
        }
    }

    /// The single value of a one-element tensor, as Double.
    func scalar() throws -> Double {
        guard count == 1 else { throw kernelError("expected a scalar, got shape \(shape)") }
        switch storage {
        case .int64(let v): return Double(v[0])
        case .bool(let v): return v[0] ? 1 : 0
        case .plain(let t), .nhwc(let t): return Double(t.pointer[0])
        }
    }

    /// The same data with another logical shape of equal element count (no copy for plain and integer data).
    func reshaped(_ newShape: [Int]) throws -> ONNXValue {
        guard newShape.reduce(1, *) == count else { throw kernelError("cannot reshape \(shape) to \(newShape)") }
        switch storage {
        case .plain, .nhwc: return ONNXValue(shape: newShape, plain: try plain())
        case .int64(let v): return ONNXValue(shape: newShape, ints: v)
        case .bool(let v): return ONNXValue(shape: newShape, bools: v)
        }
    }

    /// A new value of this element type and `shape`, filled by `runs` copied from `sources` (see `CopyRun`).
    static func assemble(_ type: ONNXElementType, shape: [Int], sources: [ONNXValue], runs: [CopyRun],
                         fill: Double = 0) throws -> ONNXValue {
        let n = shape.reduce(1, *)
        switch type {
        case .float:
            let out = Tensor(uninitializedShape: [n])
            if runs.reduce(0, { $0 + $1.count }) != n { out.pointer.initialize(repeating: Float(fill), count: n) }
            let srcs = try sources.map { try $0.plain().pointer }
            for r in runs { (out.pointer + r.dst).update(from: srcs[r.source] + r.src, count: r.count) }
            return ONNXValue(shape: shape, plain: out)
        case .int64:
            var out = [Int64](repeating: Int64(fill), count: n)
            let srcs = try sources.map { try $0.intArray() }
            out.withUnsafeMutableBufferPointer { o in
                for r in runs {
                    srcs[r.source].withUnsafeBufferPointer { s in
                        (o.baseAddress! + r.dst).update(from: s.baseAddress! + r.src, count: r.count)
                    }
                }
            }
            return ONNXValue(shape: shape, ints: out)
        case .bool:
            var out = [Bool](repeating: fill != 0, count: n)
            let srcs = try sources.map { try $0.boolArray() }
            for r in runs { for k in 0..<r.count { out[r.dst + k] = srcs[r.source][r.src + k] } }
            return ONNXValue(shape: shape, bools: out)
        }
    }
}

/// One contiguous block copy of a data-movement op: `count` elements from `sources[source]` at `src` to the output
/// at `dst` (offsets in logical row-major order). Concat, Split, Slice, Gather, Transpose, Expand, Pad, GatherND and
/// ScatterND are written as run lists, so one copy routine serves every element type.
struct CopyRun {
    var source: Int
    var src: Int
    var dst: Int
    var count: Int
}

extension ONNXElementType: CustomStringConvertible {
    var description: String {
        switch self {
        case .float: return "float"
        case .int64: return "int64"
        case .bool: return "bool"
        }
    }
}
