import Foundation

/// The ops of an embedded-NMS export (`nms=True`): NonZero, GatherND, ScatterND and NonMaxSuppression.
enum DetectionKernels {
    /// NonZero: int64 [rank, n] coordinates of the non-zero elements in row-major order.
    static func nonZero(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let flags = try x.boolArray()
        let strides = Layout.strides(x.shape)
        let hits = flags.indices.filter { flags[$0] }
        var out = [Int64](repeating: 0, count: x.rank * hits.count)
        for (k, i) in hits.enumerated() {
            for d in 0..<x.rank { out[d * hits.count + k] = Int64((i / strides[d]) % x.shape[d]) }
        }
        return [ONNXValue(shape: [x.rank, hits.count], ints: out)]
    }

    /// GatherND with `batch_dims` 0: indices [..., k] address slices data[i0, …, ik-1].
    static func gatherND(_ ctx: KernelContext) throws -> [ONNXValue] {
        let data = try ctx.input(0), indices = try ctx.input(1)
        guard ctx.node.int("batch_dims", default: 0) == 0 else { throw kernelError("batch_dims > 0 is not supported") }
        guard let k = indices.shape.last, k <= data.rank else { throw kernelError("indices \(indices.shape) for data \(data.shape)") }
        let idx = try indices.ints()
        let sliceShape = Array(data.shape[k...])
        let sliceLen = sliceShape.reduce(1, *)
        let strides = Layout.strides(data.shape)
        let n = k == 0 ? indices.count : idx.count / k
        var runs: [CopyRun] = []
        runs.reserveCapacity(n)
        for r in 0..<n {
            var src = 0
            for d in 0..<k {
                var i = idx[r * k + d]
                if i < 0 { i += data.shape[d] }
                guard i >= 0, i < data.shape[d] else { throw kernelError("index \(idx[r * k + d]) out of range for \(data.shape)") }
                src += i * strides[d]
            }
            runs.append(CopyRun(source: 0, src: src, dst: r * sliceLen, count: sliceLen))
        }
        let shape = Array(indices.shape.dropLast()) + sliceShape
        return [try ONNXValue.assemble(data.elementType, shape: shape, sources: [data], runs: runs)]
    }

    /// ScatterND without reduction: a copy of data with the addressed slices replaced by updates.
    static func scatterND(_ ctx: KernelContext) throws -> [ONNXValue] {
        let data = try ctx.input(0), indices = try ctx.input(1), updates = try ctx.input(2)
        guard (ctx.node.string("reduction") ?? "none") == "none" else { throw kernelError("ScatterND reduction is not supported") }
        guard let k = indices.shape.last, k <= data.rank else { throw kernelError("indices \(indices.shape) for data \(data.shape)") }
        let idx = try indices.ints()
        let sliceLen = data.shape[k...].reduce(1, *)
        let strides = Layout.strides(data.shape)
        var runs = [CopyRun(source: 0, src: 0, dst: 0, count: data.count)]
        let n = k == 0 ? 1 : idx.count / k
        guard updates.count == n * sliceLen else { throw kernelError("updates \(updates.shape) for \(n) slices of \(sliceLen)") }
        for r in 0..<n {
            var dst = 0
            for d in 0..<k {
                var i = idx[r * k + d]
                if i < 0 { i += data.shape[d] }
                guard i >= 0, i < data.shape[d] else { throw kernelError("index \(idx[r * k + d]) out of range for \(data.shape)") }
                dst += i * strides[d]
            }
            runs.append(CopyRun(source: 1, src: r * sliceLen, dst: dst, count: sliceLen))
        }
        return [try ONNXValue.assemble(data.elementType, shape: data.shape, sources: [data, updates], runs: runs)]
    }

    /// NonMaxSuppression as ONNX defines it: per batch and class, boxes scoring above `score_threshold` in descending
    /// score order (ties: lower index first), greedily dropping any whose IoU with a kept box exceeds
    /// `iou_threshold`, at most `max_output_boxes_per_class` kept. Output int64 [n, 3] rows (batch, class, box).
    static func nonMaxSuppression(_ ctx: KernelContext) throws -> [ONNXValue] {
        let boxes = try ctx.input(0), scores = try ctx.input(1)
        guard boxes.rank == 3, scores.rank == 3, boxes.shape[2] == 4, boxes.shape[0] == scores.shape[0],
              boxes.shape[1] == scores.shape[2] else { throw kernelError("boxes \(boxes.shape) and scores \(scores.shape)") }
        let maxOut = try ctx.optional(2).map { $0.count == 0 ? 0 : Int(clamping: try $0.intArray()[0]) } ?? 0
        let iou = try ctx.optional(3).map { $0.count == 0 ? 0 : Float(try $0.scalar()) } ?? 0
        let threshold = try ctx.optional(4).map { $0.count == 0 ? -Float.infinity : Float(try $0.scalar()) } ?? -.infinity
        let center = ctx.node.int("center_point_box", default: 0) != 0
        let (batches, classes, n) = (scores.shape[0], scores.shape[1], scores.shape[2])
        let b = try boxes.floatArray(), s = try scores.floatArray()
        var out: [Int64] = []
        guard maxOut > 0 else { return [ONNXValue(shape: [0, 3], ints: [])] }
        for bi in 0..<batches {
            // Corners as (y1, x1, y2, x2) or (cx, cy, w, h) → min/max corners.
            let corners: [SIMD4<Float>] = (0..<n).map { i in
                let o = (bi * n + i) * 4
                if center {
                    let (cx, cy, w, h) = (b[o], b[o + 1], b[o + 2], b[o + 3])
                    return SIMD4(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                }
                return SIMD4(min(b[o + 1], b[o + 3]), min(b[o], b[o + 2]), max(b[o + 1], b[o + 3]), max(b[o], b[o + 2]))
            }
            for c in 0..<classes {
                let base = (bi * classes + c) * n
                let order = (0..<n).filter { s[base + $0] > threshold }
                    .sorted { s[base + $0] > s[base + $1] || (s[base + $0] == s[base + $1] && $0 < $1) }
                var kept: [Int] = []
                for i in order {
                    if kept.contains(where: { overlaps(corners[$0], corners[i], iou) }) { continue }
                    kept.append(i)
                    out += [Int64(bi), Int64(c), Int64(i)]
                    if kept.count == maxOut { break }
                }
            }
        }
        return [ONNXValue(shape: [out.count / 3, 3], ints: out)]
    }

    /// IoU(a, b) > threshold for (x1, y1, x2, y2) boxes; empty boxes never overlap.
    static func overlaps(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ threshold: Float) -> Bool {
        let iw = min(a[2], b[2]) - max(a[0], b[0]), ih = min(a[3], b[3]) - max(a[1], b[1])
        guard iw > 0, ih > 0 else { return false }
        let inter = iw * ih
        let areaA = (a[2] - a[0]) * (a[3] - a[1]), areaB = (b[2] - b[0]) * (b[3] - b[1])
        let union = areaA + areaB - inter
        guard areaA > 0, areaB > 0, union > 0 else { return false }
        return inter / union > threshold
    }
}
