import Foundation
import YOLOFormats

/// A small dense tensor for constant folding: values held as Double (exact for the int64 shape arithmetic and the
/// float32 constants folding meets), converted back to the element type on output.
struct FoldTensor {
    var shape: [Int]
    var values: [Double]
    var dtype: GraphDType

    init(shape: [Int], values: [Double], dtype: GraphDType) {
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    init(shape: [Int], ints: [Int64]) {
        self.init(shape: shape, values: ints.map(Double.init), dtype: .int64)
    }

    init(shape: [Int], floats: [Double], dtype: GraphDType) {
        self.init(shape: shape, values: floats, dtype: dtype)
    }

    init?(_ c: GraphConstant) {
        guard let v = c.floatValues else {
            guard case .bool(let b) = c.data else { return nil }
            self.init(shape: c.shape, values: b.map { $0 ? 1 : 0 }, dtype: .bool)
            return
        }
        if let i = c.intValues {
            self.init(shape: c.shape, values: i.map(Double.init), dtype: c.dtype)
        } else {
            self.init(shape: c.shape, values: v.map(Double.init), dtype: c.dtype)
        }
    }

    var count: Int { values.count }
    var intValues: [Int]? { dtype.isFloat ? nil : values.map { Int($0) } }
    var floats: [Double]? { dtype.isFloat ? values : nil }
    var scalar: Double? { values.count == 1 ? values[0] : nil }

    /// The constant data in the element type.
    var data: GraphTensorData {
        switch dtype {
        case .float32: return .float32(values.map { Float($0) })
        case .float16: return .float16(values.map { HalfConversion.halfBits(from: Float($0)) })
        case .int64: return .int64(values.map { Int64($0) })
        case .int32: return .int32(values.map { Int32($0) })
        case .int8: return .int8(values.map { Int8($0) })
        case .uint8: return .uint8(values.map { UInt8($0) })
        case .bool: return .bool(values.map { $0 != 0 })
        }
    }

    func reshaped(_ s: [Int]) -> FoldTensor { FoldTensor(shape: s, values: values, dtype: dtype) }

    func cast(_ to: GraphDType) -> FoldTensor? {
        var v = values
        if !to.isFloat { v = v.map { $0.rounded(.towardZero) } }
        if to == .float32 { v = v.map { Double(Float($0)) } }
        if to == .bool { v = v.map { $0 != 0 ? 1 : 0 } }
        return FoldTensor(shape: shape, values: v, dtype: to)
    }

    /// Elementwise op with numpy broadcasting; `intOp` for integer types (truncating division).
    static func binary(_ a: FoldTensor, _ b: FoldTensor?, _ floatOp: (Double, Double) -> Double,
                       _ intOp: (Int64, Int64) -> Int64) -> FoldTensor? {
        guard let b, a.dtype == b.dtype else { return nil }
        let rank = max(a.shape.count, b.shape.count)
        let sa = [Int](repeating: 1, count: rank - a.shape.count) + a.shape
        let sb = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        var out = [Int]()
        for (x, y) in zip(sa, sb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(x == 1 ? y : x)
        }
        let n = out.reduce(1, *)
        let ta = strides(sa, out), tb = strides(sb, out)
        var values = [Double](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: rank)
        for k in 0..<n {
            var ia = 0, ib = 0
            for d in 0..<rank { ia += index[d] * ta[d]; ib += index[d] * tb[d] }
            let x = a.values[ia], y = b.values[ib]
            values[k] = a.dtype.isFloat ? floatOp(x, y) : Double(intOp(Int64(x), Int64(y)))
            var d = rank - 1
            while d >= 0 { index[d] += 1; if index[d] < out[d] { break }; index[d] = 0; d -= 1 }
        }
        if a.dtype == .float32 { values = values.map { Double(Float($0)) } }
        return FoldTensor(shape: out, values: values, dtype: a.dtype)
    }

    /// Strides of `shape` read as `out` (0 where broadcast).
    private static func strides(_ shape: [Int], _ out: [Int]) -> [Int] {
        var s = [Int](repeating: 0, count: shape.count), acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = shape[d] == 1 && out[d] != 1 ? 0 : acc
            acc *= shape[d]
        }
        return s
    }

    static func concat(_ parts: [FoldTensor], axis: Int) -> FoldTensor? {
        guard let first = parts.first, parts.allSatisfy({ $0.shape.count == first.shape.count && $0.dtype == first.dtype })
        else { return nil }
        let outer = first.shape[..<axis].reduce(1, *)
        var values: [Double] = []
        var shape = first.shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        for o in 0..<outer {
            for p in parts {
                let inner = p.shape[axis...].reduce(1, *)
                values += p.values[(o * inner)..<((o + 1) * inner)]
            }
        }
        return FoldTensor(shape: shape, values: values, dtype: first.dtype)
    }

    func gather(_ idx: [Int], indexShape: [Int], axis: Int) -> FoldTensor? {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), n = shape[axis]
        var values: [Double] = []
        for o in 0..<outer {
            for i in idx {
                let j = i < 0 ? i + n : i
                guard j >= 0, j < n else { return nil }
                values += self.values[((o * n + j) * inner)..<((o * n + j + 1) * inner)]
            }
        }
        return FoldTensor(shape: Array(shape[..<axis]) + indexShape + Array(shape[(axis + 1)...]), values: values, dtype: dtype)
    }

    func slice(starts: [Int], ends: [Int], axes: [Int], steps: [Int]) -> FoldTensor? {
        var ranges = shape.map { Array(0..<$0) }
        for (k, a) in axes.enumerated() {
            let dim = shape[a], step = steps[k]
            guard step != 0 else { return nil }
            func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v < 0 ? v + dim : v, lo), hi) }
            var r: [Int] = []
            if step > 0 {
                var i = clamp(starts[k], 0, dim)
                let e = clamp(ends[k], 0, dim)
                while i < e { r.append(i); i += step }
            } else {
                var i = clamp(starts[k], -1, dim - 1)
                let e = clamp(ends[k], -1, dim - 1)
                while i > e { r.append(i); i += step }
            }
            ranges[a] = r
        }
        let outShape = ranges.map(\.count)
        var values: [Double] = []
        values.reserveCapacity(outShape.reduce(1, *))
        var st = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { st[d] = st[d + 1] * shape[d + 1] }
        func walk(_ d: Int, _ offset: Int) {
            if d == shape.count { values.append(self.values[offset]); return }
            for i in ranges[d] { walk(d + 1, offset + i * st[d]) }
        }
        walk(0, 0)
        return FoldTensor(shape: outShape, values: values, dtype: dtype)
    }
}
