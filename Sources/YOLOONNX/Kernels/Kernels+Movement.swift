import CKernels
import YOLOTensor

/// Data-movement kernels: Reshape/Flatten/Squeeze/Unsqueeze (no copy for row-major data), Transpose, Concat, Split,
/// Slice, Gather, Expand, Tile and Pad. Block copies go through `CopyRun` lists, so each works for every element type;
/// Concat and Split along the channel axis of channels-last activations copy channel blocks directly.
enum MovementKernels {
    static func reshape(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let target = try ctx.input(1).ints()
        let allowZero = ctx.node.int("allowzero", default: 0) != 0
        var shape = target.enumerated().map { i, d in d == 0 && !allowZero ? (i < x.rank ? x.shape[i] : 0) : d }
        if let m = shape.firstIndex(of: -1) {
            let rest = shape.enumerated().filter { $0.offset != m }.reduce(1) { $0 * $1.element }
            guard rest > 0, x.count % rest == 0 else { throw kernelError("cannot reshape \(x.shape) to \(target)") }
            shape[m] = x.count / rest
        }
        return [try x.reshaped(shape)]
    }

    static func flatten(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let axis = Layout.axis(ctx.node.int("axis", default: 1), rank: x.rank + 1) else { throw kernelError("bad axis") }
        let outer = x.shape[..<axis].reduce(1, *)
        return [try x.reshaped([outer, x.count / max(outer, 1)])]
    }

    static func squeeze(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let axes = try ctx.intList(input: 1, attribute: "axes").map { try $0.map { a -> Int in
            guard let v = Layout.axis(a, rank: x.rank), x.shape[v] == 1 else { throw kernelError("cannot squeeze axis \(a) of \(x.shape)") }
            return v
        } } ?? x.shape.indices.filter { x.shape[$0] == 1 }
        return [try x.reshaped(x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] })]
    }

    static func unsqueeze(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let axes = try ctx.intList(input: 1, attribute: "axes") else { throw kernelError("Unsqueeze without axes") }
        let rank = x.rank + axes.count
        var shape = x.shape
        for a in try axes.map({ a -> Int in
            guard let v = Layout.axis(a, rank: rank) else { throw kernelError("bad axis \(a)") }
            return v
        }).sorted() { shape.insert(1, at: a) }
        return [try x.reshaped(shape)]
    }

    static func identity(_ ctx: KernelContext) throws -> [ONNXValue] { [try ctx.input(0)] }

    static func transpose(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let perm = ctx.node.ints("perm") ?? Array((0..<x.rank).reversed())
        guard perm.sorted() == Array(0..<x.rank) else { throw kernelError("perm \(perm) for shape \(x.shape)") }
        let shape = perm.map { x.shape[$0] }
        // NCHW → NHWC of a channels-last value is its buffer.
        if x.isNHWC, perm == [0, 2, 3, 1] { return [ONNXValue(shape: shape, plain: try x.nhwc())] }
        let inStrides = Layout.strides(x.shape)
        let readStrides = perm.map { inStrides[$0] }
        if x.elementType == .float {
            let src = try x.plain().pointer
            let out = Tensor(uninitializedShape: [x.count])
            let dst = out.pointer
            if readStrides.last == 1 {
                let n = shape.last ?? 1
                Layout.forEachRow(shape, readStrides) { o, i in (dst + o).update(from: src + i, count: n) }
            } else {
                Layout.forEachBroadcast(shape, readStrides, readStrides) { o, i, _ in dst[o] = src[i] }
            }
            return [ONNXValue(shape: shape, plain: out)]
        }
        var runs: [CopyRun] = []
        Layout.forEachBroadcast(shape, readStrides, readStrides) { o, i, _ in runs.append(CopyRun(source: 0, src: i, dst: o, count: 1)) }
        return [try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)]
    }

    static func concat(_ ctx: KernelContext) throws -> [ONNXValue] {
        let parts = try (0..<ctx.inputs.count).map { try ctx.input($0) }
        let rank = parts[0].rank
        guard let axis = Layout.axis(ctx.node.int("axis", default: 0), rank: rank) else { throw kernelError("bad axis") }
        for p in parts {
            guard p.rank == rank, p.elementType == parts[0].elementType,
                  p.shape.indices.allSatisfy({ $0 == axis || p.shape[$0] == parts[0].shape[$0] }) else {
                throw kernelError("cannot concatenate \(parts.map(\.shape)) on axis \(axis)")
            }
        }
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        if rank == 4, axis == 1, parts[0].elementType == .float, parts.contains(where: \.isNHWC) {
            return [ONNXValue(nhwc: Tensor.concatChannels(try parts.map { try $0.nhwc() }))]
        }
        let outer = shape[..<axis].reduce(1, *)
        let blocks = parts.map { $0.shape[axis...].reduce(1, *) }
        var runs: [CopyRun] = []
        var dst = 0
        for o in 0..<outer {
            for (k, len) in blocks.enumerated() where len > 0 {
                runs.append(CopyRun(source: k, src: o * len, dst: dst, count: len))
                dst += len
            }
        }
        return [try ONNXValue.assemble(parts[0].elementType, shape: shape, sources: parts, runs: runs)]
    }

    static func split(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let axis = Layout.axis(ctx.node.int("axis", default: 0), rank: x.rank) else { throw kernelError("bad axis") }
        let dim = x.shape[axis], n = ctx.node.outputs.count
        var sizes = try ctx.intList(input: 1, attribute: "split") ?? []
        if sizes.isEmpty {
            let chunk = (dim + n - 1) / n
            sizes = (0..<n).map { min(chunk, max(dim - $0 * chunk, 0)) }
        }
        guard sizes.count == n, sizes.reduce(0, +) == dim else { throw kernelError("split sizes \(sizes) for \(x.shape) axis \(axis)") }
        var out: [ONNXValue] = []
        var start = 0
        for (k, len) in sizes.enumerated() {
            defer { start += len }
            var shape = x.shape
            shape[axis] = len
            guard ctx.needed[k] else { out.append(ONNXValue(shape: [0], ints: [])); continue }
            out.append(try slice(x, axis: axis, start: start, length: len, shape: shape))
        }
        return out
    }

    /// `length` entries of `axis` from `start` (step 1).
    static func slice(_ x: ONNXValue, axis: Int, start: Int, length: Int, shape: [Int]) throws -> ONNXValue {
        if x.isNHWC, axis == 1 { return ONNXValue(nhwc: try x.nhwc().sliceChannels(start, length)) }
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        let runs = (0..<outer).map { o in
            CopyRun(source: 0, src: (o * x.shape[axis] + start) * inner, dst: o * length * inner, count: length * inner)
        }
        return try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)
    }

    static func sliceKernel(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let starts = try ctx.intList(input: 1, attribute: "starts"), let ends = try ctx.intList(input: 2, attribute: "ends"),
              starts.count == ends.count else { throw kernelError("Slice needs starts and ends of equal length") }
        let axes = try (ctx.intList(input: 3, attribute: "axes") ?? Array(0..<starts.count)).map { a -> Int in
            guard let v = Layout.axis(a, rank: x.rank) else { throw kernelError("bad axis \(a) for \(x.shape)") }
            return v
        }
        let steps = try ctx.intList(input: 4, attribute: "steps") ?? [Int](repeating: 1, count: starts.count)
        guard axes.count == starts.count, steps.count == starts.count, !steps.contains(0) else { throw kernelError("bad Slice arguments") }
        var first = [Int](repeating: 0, count: x.rank), step = [Int](repeating: 1, count: x.rank), shape = x.shape
        for (k, a) in axes.enumerated() {
            let dim = x.shape[a], st = steps[k]
            func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v < 0 ? v + dim : v, lo), hi) }
            let s = st > 0 ? clamp(starts[k], 0, dim) : clamp(starts[k], -1, dim - 1)
            let e = st > 0 ? clamp(ends[k], 0, dim) : clamp(ends[k], -1, dim - 1)
            first[a] = s
            step[a] = st
            shape[a] = st > 0 ? max(0, (e - s + st - 1) / st) : max(0, (s - e - st - 1) / -st)
        }
        let changed = x.shape.indices.filter { shape[$0] != x.shape[$0] || step[$0] != 1 }
        if changed.isEmpty { return [x] }
        if changed.count == 1, step[changed[0]] == 1 {
            return [try slice(x, axis: changed[0], start: first[changed[0]], length: shape[changed[0]], shape: shape)]
        }
        let inStrides = Layout.strides(x.shape)
        let read = x.shape.indices.map { inStrides[$0] * step[$0] }
        let base = x.shape.indices.reduce(0) { $0 + first[$1] * inStrides[$1] }
        var runs: [CopyRun] = []
        Layout.forEachBroadcast(shape, read, read) { o, i, _ in runs.append(CopyRun(source: 0, src: base + i, dst: o, count: 1)) }
        return [try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)]
    }

    static func gather(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0), idxValue = try ctx.input(1)
        guard let axis = Layout.axis(ctx.node.int("axis", default: 0), rank: x.rank) else { throw kernelError("bad axis") }
        let dim = x.shape[axis]
        let idx = try idxValue.ints().map { i -> Int in
            let j = i < 0 ? i + dim : i
            guard j >= 0, j < dim else { throw kernelError("index \(i) out of range for axis \(axis) of \(x.shape)") }
            return j
        }
        let shape = Array(x.shape[..<axis]) + idxValue.shape + Array(x.shape[(axis + 1)...])
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        var runs: [CopyRun] = []
        runs.reserveCapacity(outer * idx.count)
        for o in 0..<outer {
            for (k, j) in idx.enumerated() {
                runs.append(CopyRun(source: 0, src: (o * dim + j) * inner, dst: (o * idx.count + k) * inner, count: inner))
            }
        }
        return [try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)]
    }

    static func expand(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let shape = Layout.broadcast(x.shape, try ctx.input(1).ints()) else {
            throw kernelError("cannot expand \(x.shape) to \(try ctx.input(1).ints())")
        }
        return [try broadcast(x, to: shape)]
    }

    static func broadcast(_ x: ONNXValue, to shape: [Int]) throws -> ONNXValue {
        let s = Layout.broadcastStrides(x.shape, to: shape)
        var runs: [CopyRun] = []
        Layout.forEachBroadcast(shape, s, s) { o, i, _ in runs.append(CopyRun(source: 0, src: i, dst: o, count: 1)) }
        return try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)
    }

    static func tile(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0), reps = try ctx.input(1).ints()
        guard reps.count == x.rank else { throw kernelError("repeats \(reps) for \(x.shape)") }
        let shape = zip(x.shape, reps).map { $0 * $1 }
        let inStrides = Layout.strides(x.shape), outStrides = Layout.strides(shape)
        var runs: [CopyRun] = []
        for o in 0..<shape.reduce(1, *) {
            var src = 0
            for d in 0..<shape.count { src += ((o / outStrides[d]) % shape[d] % x.shape[d]) * inStrides[d] }
            runs.append(CopyRun(source: 0, src: src, dst: o, count: 1))
        }
        return [try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs)]
    }

    /// Pad, mode constant (negative pads crop).
    static func pad(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard (ctx.node.string("mode") ?? "constant") == "constant" else {
            throw kernelError("Pad mode '\(ctx.node.string("mode")!)' is not supported (constant is)")
        }
        guard var pads = try ctx.intList(input: 1, attribute: "pads") else { throw kernelError("Pad without pads") }
        let fill = try ctx.optional(2).map { try $0.scalar() } ?? Double(ctx.node.float("value") ?? 0)
        if let axes = try ctx.optional(3)?.ints() {
            var full = [Int](repeating: 0, count: 2 * x.rank)
            for (k, a) in axes.enumerated() {
                guard let v = Layout.axis(a, rank: x.rank) else { throw kernelError("bad axis \(a)") }
                full[v] = pads[k]
                full[v + x.rank] = pads[k + axes.count]
            }
            pads = full
        }
        guard pads.count == 2 * x.rank else { throw kernelError("pads \(pads) for \(x.shape)") }
        let shape = x.shape.indices.map { x.shape[$0] + pads[$0] + pads[$0 + x.rank] }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw kernelError("pads \(pads) crop \(x.shape) below zero") }
        let inStrides = Layout.strides(x.shape), outStrides = Layout.strides(shape)
        var runs: [CopyRun] = []
        for o in 0..<shape.reduce(1, *) {
            var src = 0, inside = true
            for d in 0..<shape.count {
                let i = (o / outStrides[d]) % shape[d] - pads[d]
                if i < 0 || i >= x.shape[d] { inside = false; break }
                src += i * inStrides[d]
            }
            if inside { runs.append(CopyRun(source: 0, src: src, dst: o, count: 1)) }
        }
        return [try ONNXValue.assemble(x.elementType, shape: shape, sources: [x], runs: runs, fill: fill)]
    }
}
