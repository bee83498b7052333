extension OpenVINOIRBuilder {
    /// Translates one graph node into IR layers (ONNX op → OpenVINO opset op).
    mutating func translate(_ n: GraphNode) throws {
        let ins = n.inputs
        func v(_ k: Int) throws -> Ref { try value(ins[k]) }
        func outs() -> [(GraphDType, [Int]?, [String])] {
            n.outputs.map { let (t, d) = outputInfo($0); return (t, d, [$0]) }
        }
        /// One layer with the node's outputs, bound to its output tensors.
        func emit(_ type: String, _ version: String, _ data: [(String, String)] = [], _ inputs: [Ref]) {
            let refs = layer(n.name, type, version, data, inputs: inputs, outputs: outs())
            for (t, r) in zip(n.outputs, refs) { bind(t, r) }
        }
        let numpy = [("auto_broadcast", "numpy")]
        switch n.op {
        case GraphOp.conv:
            try convolution(n)
        case GraphOp.silu:
            emit("Swish", "opset4", [], [try v(0)])
        case GraphOp.sigmoid:
            emit("Sigmoid", "opset1", [], [try v(0)])
        case GraphOp.add, GraphOp.sub, GraphOp.mul, GraphOp.div, GraphOp.min, GraphOp.max, GraphOp.greater:
            let type = [GraphOp.add: "Add", GraphOp.sub: "Subtract", GraphOp.mul: "Multiply", GraphOp.div: "Divide",
                        GraphOp.min: "Minimum", GraphOp.max: "Maximum", GraphOp.greater: "Greater"][n.op]!
            emit(type, "opset1", n.op == GraphOp.div ? numpy + [("m_pythondiv", "true")] : numpy, [try v(0), try v(1)])
        case GraphOp.concat:
            let inputs = try ins.indices.map(v)
            let rank = inputs.first?.dims?.count ?? 1
            emit("Concat", "opset1", [("axis", String(normalized(n, "axis", rank)))], inputs)
        case GraphOp.split:
            let x = try v(0)
            let axis = normalized(n, "axis", x.dims?.count ?? 1)
            emit("VariadicSplit", "opset1", [], [x, int64s(n.name + "/axis", [axis], scalar: true), try v(1)])
        case GraphOp.maxPool:
            try maxPool(n)
        case GraphOp.resize:
            try interpolate(n)
        case GraphOp.reshape:
            emit("Reshape", "opset1", [("special_zero", n[attribute: "allowzero"]?.intValue == 1 ? "false" : "true")],
                 [try v(0), try v(1)])
        case GraphOp.transpose:
            let x = try v(0)
            let perm = n[attribute: "perm"]?.intsValue ?? Array((0..<(x.dims?.count ?? 0)).reversed())
            emit("Transpose", "opset1", [], [x, int64s(n.name + "/perm", perm)])
        case GraphOp.softmax:
            emit("SoftMax", "opset8", [("axis", String(n[attribute: "axis"]?.intValue ?? -1))], [try v(0)])
        case GraphOp.slice:
            var inputs = [try v(0), try v(1), try v(2)]
            let axes = ins.count > 3 && !ins[3].isEmpty ? try v(3) : nil
            let count = graph.constant(named: ins[1])?.count ?? 1
            let steps = ins.count > 4 && !ins[4].isEmpty ? try v(4) : int64s(n.name + "/steps", [Int](repeating: 1, count: count))
            inputs.append(steps)
            if let axes { inputs.append(axes) }
            emit("Slice", "opset8", [], inputs)
        case GraphOp.shape:
            emit("ShapeOf", "opset3", [("output_type", "i64")], [try v(0)])
        case GraphOp.gather:
            let x = try v(0)
            let axis = normalized(n, "axis", x.dims?.count ?? 1)
            emit("Gather", "opset8", [("batch_dims", "0")], [x, try v(1), int64s(n.name + "/axis", [axis], scalar: true)])
        case GraphOp.range:
            let (t, _) = outputInfo(n.outputs[0])
            emit("Range", "opset4", [("output_type", t.openVINOElementType)], [try v(0), try v(1), try v(2)])
        case GraphOp.cast:
            let (t, _) = outputInfo(n.outputs[0])
            emit("Convert", "opset1", [("destination_type", t.openVINOElementType)], [try v(0)])
        case GraphOp.expand:
            emit("Broadcast", "opset3", [("mode", "bidirectional")], [try v(0), try v(1)])
        case GraphOp.constantOfShape:
            guard case .tensor(let fill)? = n[attribute: "value"] else {
                throw ExportError.unsupportedOp(format: "openvino", op: n.op, node: n.name)
            }
            let value = constant(n.name + "/value", fill.dtype, [], fill.littleEndianBytes)
            emit("Broadcast", "opset3", [("mode", "numpy")], [value, try v(0)])
        case GraphOp.unsqueeze:
            emit("Unsqueeze", "opset1", [], [try v(0), try v(1)])
        case GraphOp.squeeze:
            emit("Squeeze", "opset1", [], ins.count > 1 && !ins[1].isEmpty ? [try v(0), try v(1)] : [try v(0)])
        case GraphOp.identity:
            bind(n.outputs[0], try v(0))
        case GraphOp.reduceMax:
            emit("ReduceMax", "opset1", [("keep_dims", n[attribute: "keepdims"]?.intValue == 0 ? "false" : "true")],
                 [try v(0), try v(1)])
        case GraphOp.argMax:
            try argMax(n)
        case GraphOp.nonZero:
            emit("NonZero", "opset3", [("output_type", "i64")], [try v(0)])
        case GraphOp.nonMaxSuppression:
            try nonMaxSuppression(n)
        case GraphOp.pad:
            try pad(n)
        default:
            throw ExportError.unsupportedOp(format: "openvino", op: n.op, node: n.name)
        }
    }

    /// An axis attribute made non-negative.
    private func normalized(_ n: GraphNode, _ key: String, _ rank: Int) -> Int {
        let a = n[attribute: key]?.intValue ?? 0
        return a < 0 ? a + rank : a
    }

    /// `Conv` → `Convolution` (or `GroupConvolution` with weights `[g, O/g, I/g, kh, kw]`) + bias `Add` with the
    /// bias as `[1, C, 1, 1]`, as OpenVINO's frontends emit it.
    private mutating func convolution(_ n: GraphNode) throws {
        let x = try value(n.inputs[0])
        guard let w = graph.constant(named: n.inputs[1]), w.shape.count == 4 else {
            throw ExportError.unsupportedOp(format: "openvino", op: "Conv with non-constant weights", node: n.name)
        }
        let group = n[attribute: "group"]?.intValue ?? 1
        let pads = n[attribute: "pads"]?.intsValue ?? [0, 0, 0, 0]
        let data: [(String, String)] = [
            ("strides", Self.list(n[attribute: "strides"]?.intsValue ?? [1, 1])),
            ("dilations", Self.list(n[attribute: "dilations"]?.intsValue ?? [1, 1])),
            ("pads_begin", Self.list(Array(pads.prefix(2)))), ("pads_end", Self.list(Array(pads.suffix(2)))),
            ("auto_pad", "explicit"),
        ]
        let (t, dims) = outputInfo(n.outputs[0])
        let hasBias = n.inputs.count > 2 && !n.inputs[2].isEmpty
        let convNames = hasBias ? [] : [n.outputs[0]]
        var y: Ref
        if group == 1 {
            y = layer(n.name, "Convolution", "opset1", data, inputs: [x, constantRef(w)], outputs: [(t, dims, convNames)])[0]
        } else {
            let shape = [group, w.shape[0] / group] + w.shape.dropFirst()
            y = layer(n.name, "GroupConvolution", "opset1", data, inputs: [x, constantRef(w, shape: shape)],
                      outputs: [(t, dims, convNames)])[0]
        }
        if hasBias, let b = graph.constant(named: n.inputs[2]) {
            let bias = constantRef(b, shape: [1, b.count, 1, 1])
            y = layer(n.name + "/Add", "Add", "opset1", [("auto_broadcast", "numpy")], inputs: [y, bias],
                      outputs: [(t, dims, [n.outputs[0]])])[0]
        }
        bind(n.outputs[0], y)
    }

    /// `MaxPool` → `MaxPool` opset14 (values and i64 indices; only the values are used).
    private mutating func maxPool(_ n: GraphNode) throws {
        let x = try value(n.inputs[0])
        let pads = n[attribute: "pads"]?.intsValue ?? [0, 0, 0, 0]
        let (t, dims) = outputInfo(n.outputs[0])
        let refs = layer(n.name, "MaxPool", "opset14", [
            ("strides", Self.list(n[attribute: "strides"]?.intsValue ?? [1, 1])),
            ("dilations", Self.list(n[attribute: "dilations"]?.intsValue ?? [1, 1])),
            ("pads_begin", Self.list(Array(pads.prefix(2)))), ("pads_end", Self.list(Array(pads.suffix(2)))),
            ("kernel", Self.list(n[attribute: "kernel_shape"]?.intsValue ?? [1, 1])),
            ("rounding_type", n[attribute: "ceil_mode"]?.intValue == 1 ? "ceil" : "floor"), ("auto_pad", "explicit"),
            ("index_element_type", "i64"), ("axis", "2"),
        ], inputs: [x], outputs: [(t, dims, [n.outputs[0]]), (.int64, dims, [])])
        bind(n.outputs[0], refs[0])
    }

    /// `Resize` (nearest, scales `[1, 1, sh, sw]`) → `Interpolate` opset11 over axes 2, 3 with f32 scales.
    private mutating func interpolate(_ n: GraphNode) throws {
        let x = try value(n.inputs[0])
        guard n.inputs.count > 2, let c = graph.constant(named: n.inputs[2]), let s = c.floatValues, s.count == 4,
              s[0] == 1, s[1] == 1 else {
            throw ExportError.unsupportedOp(format: "openvino", op: "Resize without constant spatial scales", node: n.name)
        }
        let mode = n[attribute: "mode"]?.stringValue ?? "nearest"
        let (t, dims) = outputInfo(n.outputs[0])
        let y = layer(n.name, "Interpolate", "opset11", [
            ("mode", mode == "linear" ? "linear" : "nearest"), ("shape_calculation_mode", "scales"),
            ("coordinate_transformation_mode", n[attribute: "coordinate_transformation_mode"]?.stringValue ?? "half_pixel"),
            ("nearest_mode", n[attribute: "nearest_mode"]?.stringValue ?? "round_prefer_floor"), ("antialias", "false"),
            ("pads_begin", "0, 0, 0, 0"), ("pads_end", "0, 0, 0, 0"),
            ("cube_coeff", Self.float(n[attribute: "cubic_coeff_a"]?.floatValue ?? -0.75)),
        ], inputs: [x, floats(n.name + "/scales", [s[2], s[3]]), int64s(n.name + "/axes", [2, 3])],
        outputs: [(t, dims, [n.outputs[0]])])[0]
        bind(n.outputs[0], y)
    }

    /// `ArgMax` → `TopK` opset11 (k = 1, the index output), squeezed when `keepdims` = 0.
    private mutating func argMax(_ n: GraphNode) throws {
        let x = try value(n.inputs[0])
        let rank = x.dims?.count ?? 1
        let axis = normalized(n, "axis", rank)
        let keep = n[attribute: "keepdims"]?.intValue != 0
        var kept = x.dims
        if kept != nil { kept![axis] = 1 }
        let refs = layer(n.name + (keep ? "" : "/TopK"), "TopK", "opset11", [
            ("axis", String(axis)), ("mode", "max"), ("sort", "value"), ("index_element_type", "i64"), ("stable", "true"),
        ], inputs: [x, int64s(n.name + "/k", [1], scalar: true)],
        outputs: [(x.dtype, kept, []), (.int64, kept, keep ? [n.outputs[0]] : [])])
        guard !keep else { return bind(n.outputs[0], refs[1]) }
        let (t, dims) = outputInfo(n.outputs[0])
        bind(n.outputs[0], layer(n.name, "Squeeze", "opset1", inputs: [refs[1], int64s(n.name + "/axes", [axis])],
                                 outputs: [(t, dims, [n.outputs[0]])])[0])
    }

    /// ONNX `NonMaxSuppression` → `NonMaxSuppression` opset9 (corner boxes, per-class score order: the ONNX order),
    /// thresholds as scalars; the selected-indices output is sized to the selection.
    private mutating func nonMaxSuppression(_ n: GraphNode) throws {
        let boxes = try value(n.inputs[0]), scores = try value(n.inputs[1])
        func scalar(_ k: Int, _ fallback: Double) throws -> GraphConstant {
            guard k < n.inputs.count, !n.inputs[k].isEmpty else {
                return k == 2 ? GraphConstant(name: "", shape: [], int64s: [Int64(fallback)])
                              : GraphConstant(name: "", shape: [], floats: [Float(fallback)])
            }
            guard let c = graph.constant(named: n.inputs[k]), c.count == 1 else {
                throw ExportError.unsupportedOp(format: "openvino", op: "NonMaxSuppression with computed thresholds", node: n.name)
            }
            return c
        }
        let maxBoxes = min(try scalar(2, 0).intValues![0], Int64(Int32.max))
        let iou = try scalar(3, 0).floatValues![0]
        let score = try scalar(4, 0).floatValues![0]
        let inputs = [boxes, scores, int64s(n.name + "/max_output_boxes_per_class", [Int(maxBoxes)], scalar: true),
                      floats(n.name + "/iou_threshold", [iou], shape: []), floats(n.name + "/score_threshold", [score], shape: [])]
        let (t, dims) = outputInfo(n.outputs[0])
        let refs = layer(n.name, "NonMaxSuppression", "opset9", [
            ("box_encoding", n[attribute: "center_point_box"]?.intValue == 1 ? "center" : "corner"),
            ("sort_result_descending", "false"), ("output_type", "i64"),
        ], inputs: inputs, outputs: [(t, dims, [n.outputs[0]]), (.float32, dims, []), (.int64, [1], [])])
        bind(n.outputs[0], refs[0])
    }

    /// ONNX `Pad` (pads `[begins…, ends…]` as one tensor) → `Pad` opset12 with the halves sliced out.
    private mutating func pad(_ n: GraphNode) throws {
        let x = try value(n.inputs[0]), pads = try value(n.inputs[1])
        let rank = x.dims?.count ?? ((pads.dims?.first ?? 0) / 2)
        func half(_ k: Int) -> Ref {
            layer(n.name + (k == 0 ? "/begin" : "/end"), "Slice", "opset8", inputs: [
                pads, int64s(n.name + "/start\(k)", [k * rank]), int64s(n.name + "/stop\(k)", [(k + 1) * rank]),
                int64s(n.name + "/step\(k)", [1]), int64s(n.name + "/axis\(k)", [0]),
            ], outputs: [(.int64, [rank], [])])[0]
        }
        var inputs = [x, half(0), half(1)]
        if n.inputs.count > 2, !n.inputs[2].isEmpty {
            let c = try value(n.inputs[2])
            inputs.append(c.dims == [] ? c : layer(n.name + "/value", "Squeeze", "opset1", inputs: [c],
                                                    outputs: [(c.dtype, [], [])])[0])
        }
        let (t, dims) = outputInfo(n.outputs[0])
        bind(n.outputs[0], layer(n.name, "Pad", "opset12", [("pad_mode", n[attribute: "mode"]?.stringValue ?? "constant")],
                                 inputs: inputs, outputs: [(t, dims, [n.outputs[0]])])[0])
    }

    /// `1, 2` (OpenVINO's list spelling).
    static func list(_ v: [Int]) -> String { v.map(String.init).joined(separator: ", ") }

    /// A float attribute as OpenVINO prints it (`-0.75`, `2`).
    static func float(_ f: Float) -> String {
        f == f.rounded() && abs(f) < 1e9 ? String(Int(f)) : String(f)
    }
}
