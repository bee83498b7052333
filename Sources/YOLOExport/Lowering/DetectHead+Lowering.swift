import YOLOModel
import YOLONN

/// The v8 Detect/Pose head with its decode inside the graph, as the reference exports it (spec export.md §4.3):
///
/// * per level, the box (`cv2.i`), class (`cv3.i`) and keypoint (`cv4.i`) towers, each flattened with `Reshape`
///   to `[b, c, h·w]`, then joined over the levels with `Concat` (P3, P4, P5[, P6] order);
/// * DFL: `Reshape [b, 4, reg_max, A]` → `Transpose [0, 2, 1, 3]` → `Softmax` over the bins → 1×1 `Conv` with weights
///   0…reg_max−1 (`model.i.dfl.conv.weight`) → `Reshape [b, 4, A]`;
/// * boxes: `Slice` lt / rb, `anchors − lt`, `anchors + rb`, centre `(x1y1 + x2y2) / 2` and size `x2y2 − x1y1`
///   (or the corners themselves when NMS follows), `Concat`, `Mul` by the per-anchor strides → input pixels;
/// * classes: `Sigmoid`;
/// * keypoints: `Reshape [b, K, D, A]`, xy → `(2·raw + grid) · stride`, visibility (D = 3) → `Sigmoid`,
///   `Reshape [b, K·D, A]`;
/// * output: `Concat` on channels → `[b, 4 + nc + K·D, A]`.
///
/// Anchors (`[1, 2, A]`, cell centres), the keypoint grid (`[2, A]`, cell corners) and strides (`[1, A]`) are
/// constants for a static export and computed from the feature-map shapes when dynamic.
extension DetectHead {
    /// Lowers the head reading the level feature maps `feats`; returns the decoded output tensor.
    func lower(_ feats: [String], in context: LoweringContext, parameterPath: String, xyxy: Bool) throws -> String {
        let b = context.builder
        guard feats.count == levelCount else {
            throw ExportError.unsupportedLayer(path: parameterPath, type: "head with \(feats.count) inputs for \(levelCount) levels")
        }
        func tower(_ name: String, _ list: ModuleList, _ level: Int, _ x: String) throws -> String {
            let seq = list[level] as! ModuleList
            let scopeName = "\(name).\(level)"
            return try b.withScope(scopeName) {
                var y = x
                for (j, layer) in seq.items.enumerated() {
                    let path = "\(parameterPath).\(scopeName).\(j)"
                    y = try b.withScope("\(scopeName).\(j)") {
                        if let block = layer as? ConvBlock { return try block.lower([y], in: context, parameterPath: path) }
                        guard let conv = layer as? Conv2d else {
                            throw ExportError.unsupportedLayer(path: path, type: "\(type(of: layer))")
                        }
                        return context.conv2d(conv, y, parameterPath: path)
                    }
                }
                return y
            }
        }
        let nk = keypointValues
        var boxMaps: [String] = [], clsMaps: [String] = [], kptMaps: [String] = []
        for i in 0..<levelCount {
            boxMaps.append(try tower("cv2", cv2, i, feats[i]))
            clsMaps.append(try tower("cv3", cv3, i, feats[i]))
            if let cv4 { kptMaps.append(try tower("cv4", cv4, i, feats[i])) }
        }
        let batch = context.batchShapeValue
        let anchorCount = try anchorTotal(context.options)
        // Flatten and join the levels.
        let box = context.concat(boxMaps.map { context.reshape($0, [batch, Int64(4 * regMax), -1]) }, axis: -1)
        let cls = context.concat(clsMaps.map { context.reshape($0, [batch, Int64(nc), -1]) }, axis: -1)
        let kpt = kptMaps.isEmpty ? nil : context.concat(kptMaps.map { context.reshape($0, [batch, Int64(nk), -1]) }, axis: 2)
        let grid = try anchorTables(boxMaps, in: context)
        // DFL
        let dist: String = try b.withScope("dfl") {
            guard let dfl else {
                throw ExportError.unsupportedLayer(path: parameterPath + ".dfl", type: "head without DFL (reg_max 1)")
            }
            let a: Int64 = context.options.dynamic ? -1 : Int64(anchorCount)
            let r = context.reshape(box, [batch, 4, Int64(regMax), a])
            let t = b.node(GraphOp.transpose, [r], ["perm": .ints([0, 2, 1, 3])])
            let s = b.node(GraphOp.softmax, [t], ["axis": .int(1)])
            let c = b.withScope("conv") { context.conv2d(dfl.conv, s, parameterPath: parameterPath + ".dfl.conv") }
            return context.reshape(c, [batch, 4, a])
        }
        // Boxes: distances → corners → centre/size (or corners) in pixels.
        let lt = context.slice(dist, axis: 1, 0, 2)
        let rb = context.slice(dist, axis: 1, 2, 4)
        let x1y1 = b.node(GraphOp.sub, [grid.anchors, lt])
        let x2y2 = b.node(GraphOp.add, [grid.anchors, rb])
        let boxes: String
        if xyxy {
            boxes = context.concat([x1y1, x2y2], axis: 1)
        } else {
            let sum = b.node(GraphOp.add, [x1y1, x2y2])
            let centre = b.node(GraphOp.div, [sum, grid.two])
            let size = b.node(GraphOp.sub, [x2y2, x1y1])
            boxes = context.concat([centre, size], axis: 1)
        }
        let pixels = b.node(GraphOp.mul, [boxes, grid.strides])
        let scores = b.node(GraphOp.sigmoid, [cls])
        guard let kpt, let shape = kptShape else { return context.concat([pixels, scores], axis: 1) }
        // Keypoints: (2·raw + grid)·stride for x, y; sigmoid visibility.
        let (k, d) = (Int64(shape[0]), Int64(shape[1]))
        let view = context.reshape(kpt, [batch, k, d, -1])
        let xyRaw = d == 3 ? context.slice(view, axis: 2, 0, 2) : view
        let xy = b.node(GraphOp.mul, [b.node(GraphOp.add, [b.node(GraphOp.mul, [xyRaw, grid.two]), grid.cells]), grid.strides])
        var decoded = xy
        if d == 3 {
            let visibility = b.node(GraphOp.sigmoid, [context.slice(view, axis: 2, 2, 3)])
            decoded = context.concat([xy, visibility], axis: 2)
        }
        let keypoints = context.reshape(decoded, [batch, Int64(nk), -1])
        return context.concat([pixels, scores, keypoints], axis: 1)
    }

    /// Total anchors for the static input size.
    func anchorTotal(_ options: LoweringOptions) throws -> Int {
        try stride.reduce(0) { total, s in
            let st = Int(s)
            guard st > 0, options.height % st == 0, options.width % st == 0 else {
                throw ExportError.invalidArgument("imgsz \(options.height)×\(options.width) is not a multiple of stride \(st)")
            }
            return total + (options.height / st) * (options.width / st)
        }
    }
}
