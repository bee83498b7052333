extension NCNNConverter {
    /// Translates one graph node into ncnn layers.
    mutating func translate(_ n: GraphNode) throws {
        func unsupported(_ what: String? = nil) -> ExportError {
            ExportError.unsupportedOp(format: "ncnn", op: what ?? n.op, node: n.name)
        }
        func axis(_ rank: Int) -> Int {
            let a = n[attribute: "axis"]?.intValue ?? 0
            return a < 0 ? a + rank : a
        }
        let out = n.outputs
        switch n.op {
        case GraphOp.conv:
            let x = try blob(n.inputs[0])
            guard let w = graph.constant(named: n.inputs[1]), w.shape.count == 4, let weights = w.floatValues else {
                throw unsupported("Conv with non-constant weights")
            }
            let bias = n.inputs.count > 2 && !n.inputs[2].isEmpty ? graph.constant(named: n.inputs[2])?.floatValues : nil
            let k = n[attribute: "kernel_shape"]?.intsValue ?? [w.shape[2], w.shape[3]]
            let s = n[attribute: "strides"]?.intsValue ?? [1, 1]
            let d = n[attribute: "dilations"]?.intsValue ?? [1, 1]
            let p = n[attribute: "pads"]?.intsValue ?? [0, 0, 0, 0]
            let group = n[attribute: "group"]?.intValue ?? 1
            var params: [(Int, NCNNParam)] = [
                (0, .int(w.shape[0])), (1, .int(k[1])), (11, .int(k[0])), (2, .int(d[1])), (12, .int(d[0])),
                (3, .int(s[1])), (13, .int(s[0])), (4, .int(p[1])), (14, .int(p[0])),
                (5, .int(bias == nil ? 0 : 1)), (6, .int(weights.count)),
            ]
            if p[3] != p[1] { params.append((15, .int(p[3]))) }
            if p[2] != p[0] { params.append((16, .int(p[2]))) }
            if group > 1 { params.append((7, .int(group))) }
            var blobsWeights: [NCNNWeight] = [.tagged(weights, half: halfWeights)]
            if let bias { blobsWeights.append(.raw(bias)) }
            try append(group > 1 ? "ConvolutionDepthWise" : "Convolution", group > 1 ? "convdw" : "conv",
                       inputs: [x], outputs: out, params: params, weights: blobsWeights)
        case GraphOp.silu:
            try append("Swish", "silu", inputs: [try blob(n.inputs[0])], outputs: out)
        case GraphOp.sigmoid:
            try append("Sigmoid", "sigmoid", inputs: [try blob(n.inputs[0])], outputs: out)
        case GraphOp.add, GraphOp.sub, GraphOp.mul, GraphOp.div, GraphOp.min, GraphOp.max:
            try binary(n)
        case GraphOp.concat:
            let inputs = try n.inputs.map(blob)
            let rank = (graph.info(of: out[0])?.shape?.count ?? 1)
            try append("Concat", "cat", inputs: inputs, outputs: out, params: [(0, .int(axis(rank) - 1))])
        case GraphOp.split:
            let x = try blob(n.inputs[0])
            guard let sizes = graph.constant(named: n.inputs[1])?.intValues else { throw unsupported("Split without constant sizes") }
            try append("Slice", "split", inputs: [x], outputs: out,
                       params: [(0, .ints(sizes.map { Int($0) })), (1, .int(axis(x.shape.count + 1) - 1))])
        case GraphOp.slice:
            let x = try blob(n.inputs[0])
            if let g = sliceGroups[n.name] {
                try append("Slice", "slice", inputs: [x], outputs: g.outputs, params: [(0, .ints(g.sizes)), (1, .int(g.axis - 1))])
                return
            }
            guard let starts = graph.constant(named: n.inputs[1])?.intValues,
                  let ends = graph.constant(named: n.inputs[2])?.intValues else { throw unsupported("Slice with computed bounds") }
            let axes = n.inputs.count > 3 && !n.inputs[3].isEmpty ? graph.constant(named: n.inputs[3])?.intValues
                                                                  : (0..<starts.count).map(Int64.init)
            guard let axes, !axes.contains(0), !axes.contains(-Int64(x.shape.count + 1)) else {
                throw unsupported("Slice over the batch axis")
            }
            if n.inputs.count > 4, !n.inputs[4].isEmpty, graph.constant(named: n.inputs[4])?.intValues?.allSatisfy({ $0 == 1 }) != true {
                throw unsupported("Slice with steps")
            }
            let rank = x.shape.count + 1
            let ncnnAxes = axes.map { Int($0 < 0 ? $0 + Int64(rank) : $0) - 1 }
            let clampedEnds = ends.map { Int(min($0, Int64(Int32.max))) }
            try append("Crop", "crop", inputs: [x], outputs: out, params: [
                (9, .ints(starts.map { Int($0) })), (10, .ints(clampedEnds)), (11, .ints(ncnnAxes)),
            ])
        case GraphOp.maxPool:
            let k = n[attribute: "kernel_shape"]?.intsValue ?? [1, 1]
            let s = n[attribute: "strides"]?.intsValue ?? [1, 1]
            let p = n[attribute: "pads"]?.intsValue ?? [0, 0, 0, 0]
            guard n[attribute: "ceil_mode"]?.intValue ?? 0 == 0, (n[attribute: "dilations"]?.intsValue ?? [1, 1]) == [1, 1] else {
                throw unsupported("MaxPool with ceil_mode or dilation")
            }
            var params: [(Int, NCNNParam)] = [
                (0, .int(0)), (1, .int(k[1])), (11, .int(k[0])), (2, .int(s[1])), (12, .int(s[0])),
                (3, .int(p[1])), (13, .int(p[0])), (5, .int(1)),
            ]
            if p[3] != p[1] { params.append((14, .int(p[3]))) }
            if p[2] != p[0] { params.append((15, .int(p[2]))) }
            try append("Pooling", "maxpool2d", inputs: [try blob(n.inputs[0])], outputs: out, params: params)
        case GraphOp.resize:
            guard n.inputs.count > 2, let sc = graph.constant(named: n.inputs[2])?.floatValues, sc.count == 4,
                  sc[0] == 1, sc[1] == 1, n[attribute: "mode"]?.stringValue ?? "nearest" == "nearest" else {
                throw unsupported("Resize other than nearest with constant spatial scales")
            }
            try append("Interp", "upsample", inputs: [try blob(n.inputs[0])], outputs: out,
                       params: [(0, .int(1)), (1, .float(sc[2])), (2, .float(sc[3]))])
        case GraphOp.reshape:
            let target = try shape(out[0])
            try append("Reshape", "reshape", inputs: [try blob(n.inputs[0])], outputs: out, params: Self.shapeParams(target))
        case GraphOp.transpose:
            let x = try blob(n.inputs[0])
            let perm = n[attribute: "perm"]?.intsValue ?? Array((0...x.shape.count).reversed())
            guard perm.first == 0, let order = Self.permuteOrder(perm.dropFirst().map { $0 - 1 }) else {
                throw unsupported("Transpose \(perm)")
            }
            try append("Permute", "permute", inputs: [x], outputs: out, params: [(0, .int(order))])
        case GraphOp.softmax:
            let x = try blob(n.inputs[0])
            let a = axis(x.shape.count + 1)
            guard a > 0 else { throw unsupported("Softmax over the batch axis") }
            try append("Softmax", "softmax", inputs: [x], outputs: out, params: [(0, .int(a - 1)), (1, .int(1))])
        case GraphOp.identity:
            alias(out[0], try blob(n.inputs[0]))
        default:
            throw unsupported()
        }
    }

    /// Elementwise binary op → `BinaryOp`: tensor ⊕ tensor, tensor ⊕ scalar (`1=1 2=b`, reversed ops for a
    /// scalar on the left), or tensor ⊕ constant via `MemoryData` shaped to the output's rank.
    private mutating func binary(_ n: GraphNode) throws {
        let codes = [GraphOp.add: 0, GraphOp.sub: 1, GraphOp.mul: 2, GraphOp.div: 3, GraphOp.max: 4, GraphOp.min: 5]
        let reversed = [0: 0, 1: 7, 2: 2, 3: 8, 4: 4, 5: 5]
        let prefix = [0: "add", 1: "sub", 2: "mul", 3: "div", 4: "max", 5: "min"]
        var op = codes[n.op]!
        let outShape = try shape(n.outputs[0])
        let consts = n.inputs.map { graph.constant(named: $0) }
        if let c = consts[1] ?? consts[0], c.count == 1, let value = c.floatValues?.first, consts[0] == nil || consts[1] == nil {
            let tensorSlot = consts[0] == nil ? 0 : 1
            if tensorSlot == 1 { op = reversed[op]! }
            try append("BinaryOp", prefix[op] ?? "binaryop", inputs: [try blob(n.inputs[tensorSlot])], outputs: n.outputs,
                       params: [(0, .int(op)), (1, .int(1)), (2, .float(value))])
            return
        }
        var operands: [Blob] = []
        for (k, t) in n.inputs.enumerated() {
            if let c = consts[k] {
                // Right-align to the output's IR rank, then drop the batch axis (which must be 1 there).
                let rank = outShape.count + 1
                guard c.shape.count <= rank, c.shape.count < rank || c.shape.first == 1 else {
                    throw ExportError.unsupportedOp(format: "ncnn", op: "constant \(c.shape) broadcast on the batch axis", node: n.name)
                }
                let aligned = [Int](repeating: 1, count: rank - c.shape.count) + c.shape
                operands.append(try memoryData(c, shape: Array(aligned.dropFirst())))
            } else {
                let b = try blob(t)
                guard b.shape.count == outShape.count else {
                    throw ExportError.unsupportedOp(format: "ncnn", op: "\(n.op) of ranks \(b.shape.count) and \(outShape.count)", node: n.name)
                }
                operands.append(b)
            }
        }
        try append("BinaryOp", prefix[op]!, inputs: operands, outputs: n.outputs, params: [(0, .int(op))])
    }

    /// ncnn `Permute` `order_type` for a permutation of the unbatched axes (outermost first), or nil.
    static func permuteOrder(_ perm: [Int]) -> Int? {
        // ncnn lists each order as the output's axes innermost first, named by the input axis they come from.
        let tables: [Int: (letters: [Character], orders: [String])] = [
            2: (["h", "w"], ["wh", "hw"]),
            3: (["c", "h", "w"], ["whc", "hwc", "wch", "cwh", "hcw", "chw"]),
            4: (["c", "d", "h", "w"], ["whdc", "hwdc", "wdhc", "dwhc", "hdwc", "dhwc", "whcd", "hwcd", "wchd", "cwhd",
                                       "hcwd", "chwd", "wdch", "dwch", "wcdh", "cwdh", "dcwh", "cdwh", "hdcw", "dhcw",
                                       "hcdw", "chdw", "dchw", "cdhw"]),
        ]
        guard let t = tables[perm.count], Set(perm) == Set(0..<perm.count) else { return nil }
        let key = String(perm.reversed().map { t.letters[$0] })
        return t.orders.firstIndex(of: key)
    }
}
