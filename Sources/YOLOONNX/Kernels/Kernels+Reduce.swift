import Foundation
import YOLOTensor

/// Softmax and reductions along axes (float data; ArgMax also on int64).
enum ReduceKernels {
    /// Softmax along `axis`. From opset 13 the axis alone is normalised; before, the input is viewed as 2-D
    /// [prod(dims before axis), prod(dims from axis)] (default axis 1) and rows are normalised.
    static func softmax(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let legacy = ctx.opset < 13
        guard let axis = Layout.axis(ctx.node.int("axis", default: legacy ? 1 : -1), rank: x.rank) else { throw kernelError("bad axis") }
        let outer = x.shape[..<axis].reduce(1, *)
        let dim = legacy ? x.shape[axis...].reduce(1, *) : x.shape[axis]
        let inner = legacy ? 1 : x.shape[(axis + 1)...].reduce(1, *)
        let src = try x.plain().pointer
        let out = Tensor(uninitializedShape: [x.count])
        let dst = out.pointer
        // Rows of `inner` contiguous values per softmax position: running max, exponentials and sums stay vectorisable.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * max(inner, 1))
        defer { scratch.deallocate() }
        let maxima = scratch, sums = scratch + inner
        for o in 0..<outer {
            let s = src + o * dim * inner, d = dst + o * dim * inner
            maxima.update(from: s, count: inner)
            for k in 1..<max(dim, 1) {
                let row = s + k * inner
                for i in 0..<inner { maxima[i] = max(maxima[i], row[i]) }
            }
            sums.initialize(repeating: 0, count: inner)
            for k in 0..<dim {
                let row = s + k * inner, drow = d + k * inner
                for i in 0..<inner {
                    let e = expf(row[i] - maxima[i])
                    drow[i] = e
                    sums[i] += e
                }
            }
            for i in 0..<inner { sums[i] = 1 / sums[i] }
            for k in 0..<dim {
                let drow = d + k * inner
                for i in 0..<inner { drow[i] *= sums[i] }
            }
        }
        return [ONNXValue(shape: x.shape, plain: out)]
    }

    /// ReduceMax / ReduceMin / ReduceSum / ReduceMean over `axes` (input from opset 18, attribute before).
    static func reduce(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let keep = ctx.node.int("keepdims", default: 1) != 0
        var axes = try ctx.intList(input: 1, attribute: "axes") ?? []
        if axes.isEmpty {
            if ctx.node.int("noop_with_empty_axes", default: 0) != 0 { return [x] }
            axes = Array(0..<x.rank)
        }
        let set = Set(try axes.map { a -> Int in
            guard let v = Layout.axis(a, rank: x.rank) else { throw kernelError("bad axis \(a)") }
            return v
        })
        let keptShape = x.shape.indices.map { set.contains($0) ? 1 : x.shape[$0] }
        let outShape = keep ? keptShape : x.shape.indices.filter { !set.contains($0) }.map { x.shape[$0] }
        let n = keptShape.reduce(1, *)
        let op = ctx.node.op
        var acc = [Double](repeating: op == "ReduceMax" ? -.infinity : op == "ReduceMin" ? .infinity : 0, count: n)
        let values = try x.floatArray()
        let outStrides = Layout.broadcastStrides(keptShape.map { $0 }, to: x.shape).enumerated().map { set.contains($0.offset) ? 0 : $0.element }
        Layout.forEachBroadcast(x.shape, Layout.strides(x.shape), outStrides) { _, i, j in
            let v = Double(values[i])
            switch op {
            case "ReduceMax": acc[j] = max(acc[j], v)
            case "ReduceMin": acc[j] = min(acc[j], v)
            default: acc[j] += v
            }
        }
        if op == "ReduceMean" {
            let count = Double(x.count / max(n, 1))
            acc = acc.map { $0 / count }
        }
        if x.elementType == .int64 { return [ONNXValue(shape: outShape, ints: acc.map { Int64($0) })] }
        return [ONNXValue(shape: outShape, floats: acc.map { Float($0) })]
    }

    /// ArgMax / ArgMin along `axis` (first occurrence unless `select_last_index`).
    static func argExtreme(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let axis = Layout.axis(ctx.node.int("axis", default: 0), rank: x.rank) else { throw kernelError("bad axis") }
        let keep = ctx.node.int("keepdims", default: 1) != 0
        let last = ctx.node.int("select_last_index", default: 0) != 0
        let isMax = ctx.node.op == "ArgMax"
        let outer = x.shape[..<axis].reduce(1, *), dim = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        let values = try x.floatArray()
        var out = [Int64](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0, bv = values[o * dim * inner + i]
                for k in 1..<max(dim, 1) {
                    let v = values[(o * dim + k) * inner + i]
                    let better = isMax ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv)
                    if better { best = k; bv = v }
                }
                out[o * inner + i] = Int64(best)
            }
        }
        var shape = x.shape
        if keep { shape[axis] = 1 } else { shape.remove(at: axis) }
        return [ONNXValue(shape: shape, ints: out)]
    }
}
