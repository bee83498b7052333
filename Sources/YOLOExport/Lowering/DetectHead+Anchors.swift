import YOLOModel

/// The per-anchor tables the head decode reads.
struct HeadGrid {
    /// `[1, 2, A]`: cell centres x + 0.5, y + 0.5 in grid units, levels in order, row-major within a level.
    var anchors: String
    /// `[2, A]`: cell corners (anchors − 0.5), the keypoint grid.
    var cells: String
    /// `[1, A]`: the stride of each anchor's level.
    var strides: String
    /// Scalar 2.0 (centre division and keypoint scaling).
    var two: String
}

extension DetectHead {
    /// Anchor tables as constants (static) or computed from the box maps' shapes (dynamic).
    func anchorTables(_ boxMaps: [String], in context: LoweringContext) throws -> HeadGrid {
        let b = context.builder
        let two = b.constant(floats: [2], shape: [])
        guard context.options.dynamic else {
            var xs: [Float] = [], ys: [Float] = [], strides: [Float] = []
            for s in stride {
                let h = context.options.height / Int(s), w = context.options.width / Int(s)
                for y in 0..<h {
                    for x in 0..<w {
                        xs.append(Float(x) + 0.5)
                        ys.append(Float(y) + 0.5)
                    }
                }
                strides += [Float](repeating: s, count: h * w)
            }
            let a = xs.count
            let anchors = b.constant(floats: xs + ys, shape: [1, 2, a])
            let cells = b.constant(floats: (xs + ys).map { $0 - 0.5 }, shape: [2, a])
            return HeadGrid(anchors: anchors, cells: cells, strides: b.constant(floats: strides, shape: [1, a]), two: two)
        }
        // Dynamic: per level, x/y centres from Range over the map's width/height, broadcast to [h, w] and flattened.
        var levelAnchors: [String] = [], levelStrides: [String] = []
        let zero = b.constant(int64s: [0], shape: []), one = b.constant(int64s: [1], shape: [])
        let half = b.constant(floats: [0.5], shape: [])
        for (i, map) in boxMaps.enumerated() {
            let shape = b.node(GraphOp.shape, [map])
            let h = context.gather(shape, index: 2), w = context.gather(shape, index: 3)
            func centres(_ n: String) -> String {
                let r = b.node(GraphOp.range, [zero, n, one])
                return b.node(GraphOp.add, [b.node(GraphOp.cast, [r], ["to": .dtype(.float32)]), half])
            }
            let sx = context.unsqueeze(centres(w), [0])    // [1, w]
            let sy = context.unsqueeze(centres(h), [1])    // [h, 1]
            let hw = context.concat([context.unsqueeze(h, [0]), context.unsqueeze(w, [0])], axis: 0)
            let gx = context.reshape(b.node(GraphOp.expand, [sx, hw]), [1, -1])
            let gy = context.reshape(b.node(GraphOp.expand, [sy, hw]), [1, -1])
            levelAnchors.append(context.concat([gx, gy], axis: 0))     // [2, h·w]
            let count = context.unsqueeze(b.node(GraphOp.mul, [h, w]), [0])
            let fill = GraphConstant(name: "value", shape: [1], floats: [stride[i]])
            levelStrides.append(b.node(GraphOp.constantOfShape, [count], ["value": .tensor(fill)]))
        }
        let cells2 = context.concat(levelAnchors, axis: 1)              // [2, A] centres
        let anchors = context.unsqueeze(cells2, [0])                    // [1, 2, A]
        let cells = b.node(GraphOp.sub, [cells2, half])                 // [2, A] corners
        let strides = context.unsqueeze(context.concat(levelStrides, axis: 0), [0])   // [1, A]
        return HeadGrid(anchors: anchors, cells: cells, strides: strides, two: two)
    }
}
