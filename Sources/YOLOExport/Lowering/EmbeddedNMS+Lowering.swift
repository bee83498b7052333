import YOLOModel

extension YOLONetwork {
    /// NMS inside the graph (`nms=True`), per image as the reference unrolls it `batch` times:
    /// best class score and index (`ReduceMax`, `ArgMax`), candidates with score > conf (`Greater`, `NonZero`,
    /// `Gather`), boxes normalised by the larger input side and scaled by 1/nc, offset by class·(1/nc) unless
    /// agnostic, `NonMaxSuppression` at `iou`, the first `maxDet` kept rows `[x1 y1 x2 y2 score class extras…]`,
    /// zero-padded to `[maxDet, 6 + extras]`; the images are stacked to `[batch, maxDet, 6 + extras]`.
    /// A dynamic graph zero-pads a smaller runtime batch to the unrolled one and slices the result back (with
/// Expand/Concat/Slice only, so opset 11 works).
    ///
    /// - Parameter decoded: the head output `[b, 4 + nc + extras, A]` with xyxy boxes.
    func lowerNMS(_ decoded: String, image: String, options nms: EmbeddedNMSOptions, in context: LoweringContext) throws -> String {
        let b = context.builder
        let nc = head.nc, extra = head.keypointValues, channels = 4 + nc + extra
        let unrolled = context.options.batch
        var pred = b.node(GraphOp.transpose, [decoded], ["perm": .ints([0, 2, 1])])     // [b, A, C]
        var runtimeBatch: String?
        if context.options.dynamic {
            let rb = context.gather(b.node(GraphOp.shape, [pred]), index: 0)
            runtimeBatch = context.unsqueeze(rb, [0])
            if unrolled > 1 {
                // Append `unrolled` zero images and keep the first `unrolled`: pads a smaller runtime batch.
                let rest = context.slice(b.node(GraphOp.shape, [pred]), axis: 0, 1, 3)
                let dims = context.concat([b.constant(ints: [unrolled]), rest], axis: 0)
                let zeros = b.node(GraphOp.expand, [b.constant(floats: [0], shape: []), dims])
                pred = context.slice(context.concat([pred, zeros], axis: 0), axis: 0, 0, unrolled)
            }
        }
        // Larger input side, for the box normalisation.
        let side: String
        if context.options.dynamic {
            let hw = context.slice(b.node(GraphOp.shape, [image]), axis: 0, 2, 4)
            let m = b.node(GraphOp.reduceMax, [hw, b.constant(ints: [0])], ["keepdims": .int(0)])
            side = b.node(GraphOp.cast, [m], ["to": .dtype(.float32)])
        } else {
            side = b.constant(floats: [Float(max(context.options.height, context.options.width))], shape: [])
        }
        let multiplier = b.constant(floats: [1 / Float(max(nc, 1))], shape: [])
        let conf = b.constant(floats: [nms.conf], shape: [])
        let maxBoxes = b.constant(int64s: [Int64.max], shape: [1])
        let iou = b.constant(floats: [nms.iou], shape: [1])
        let rowWidth = 6 + extra
        var images: [String] = []
        for i in 0..<unrolled {
            let p = context.gather(pred, index: i)                                     // [A, C]
            let boxes = context.slice(p, axis: 1, 0, 4)
            let classScores = context.slice(p, axis: 1, 4, 4 + nc)
            let extras = extra > 0 ? context.slice(p, axis: 1, 4 + nc, channels) : nil
            let score = b.node(GraphOp.reduceMax, [classScores, b.constant(ints: [1])], ["keepdims": .int(0)])
            let cls = b.node(GraphOp.argMax, [classScores], ["axis": .int(1), "keepdims": .int(0)])
            let candidates = context.reshape(b.node(GraphOp.nonZero, [b.node(GraphOp.greater, [score, conf])]), [-1])
            func take(_ x: String, _ idx: String) -> String { b.node(GraphOp.gather, [x, idx], ["axis": .int(0)]) }
            let box = take(boxes, candidates), sc = take(score, candidates), cl = take(cls, candidates)
            let ex = extras.map { take($0, candidates) }
            let clsFloat = b.node(GraphOp.cast, [cl], ["to": .dtype(.float32)])
            var nmsBox = b.node(GraphOp.mul, [b.node(GraphOp.div, [box, side]), multiplier])
            if !nms.agnostic {
                let offset = b.node(GraphOp.mul, [context.unsqueeze(clsFloat, [1]), multiplier])
                nmsBox = b.node(GraphOp.add, [nmsBox, offset])
            }
            let selected = b.node(GraphOp.nonMaxSuppression, [
                context.unsqueeze(nmsBox, [0]), context.unsqueeze(sc, [0, 1]), maxBoxes, iou,
            ], ["center_point_box": .int(0)])
            let keepAll = context.gather(selected, index: 2, axis: 1)                     // [k]
            let keep = context.slice(keepAll, axis: 0, 0, nms.maxDet)
            var columns = [take(box, keep), context.unsqueeze(take(sc, keep), [1]), context.unsqueeze(take(clsFloat, keep), [1])]
            if let ex { columns.append(take(ex, keep)) }
            let rows = context.reshape(context.concat(columns, axis: 1), [-1])
            let used = b.node(GraphOp.shape, [rows])
            let missing = b.node(GraphOp.sub, [b.constant(int64s: [Int64(nms.maxDet * rowWidth)]), used])
            let pads = context.concat([b.constant(ints: [0]), missing], axis: 0)
            let padded = b.node(GraphOp.pad, [rows, pads, b.constant(floats: [0], shape: [])], ["mode": .string("constant")])
            images.append(context.reshape(padded, [1, Int64(nms.maxDet), Int64(rowWidth)]))
        }
        var out = images.count == 1 ? images[0] : context.concat(images, axis: 0)
        if let runtimeBatch, unrolled > 1 {
            out = b.node(GraphOp.slice, [out, b.constant(ints: [0]), runtimeBatch, b.constant(ints: [0])])
        }
        return out
    }
}
