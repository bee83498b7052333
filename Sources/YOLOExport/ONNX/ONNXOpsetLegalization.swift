/// Rewrites the opset-18 form of the export graph for an older ONNX opset:
/// * < 18: `ReduceMax` axes input → attribute;
/// * < 14: `Reshape` without `allowzero`;
/// * < 13: `Split` sizes, `Unsqueeze`/`Squeeze` axes inputs → attributes; `Softmax` over a non-last axis is wrapped in
///   two `Transpose`s (opset-11 Softmax flattens the trailing axes), as the reference's opset-12 graph shows;
/// * < 13: `Resize` gets an empty roi tensor (required before opset 13);
/// * < 11: `Resize` → opset-10 `Resize(X, scales)` (or `Upsample` below 10), `Pad` pads/value → attributes;
/// * < 10: `Slice` bounds → attributes; `MaxPool` without `ceil_mode`/`dilations`.
/// Ops that do not exist at the opset (Range < 11, NonMaxSuppression < 10) make it throw.
public struct ONNXOpsetLegalization: GraphPass {
    public let name = "ONNX opset legalization"
    public let opset: Int

    public init(opset: Int) { self.opset = opset }

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        guard opset < 18 else { return false }
        GraphShapeInference.run(&graph)
        let constants = graph.constantsByName
        func ints(_ name: String) throws -> [Int] {
            guard let v = constants[name]?.intValues else {
                throw ExportError.invalidArgument("ONNX opset \(opset): '\(name)' must be a constant for this op")
            }
            return v.map { Int($0) }
        }
        var out: [GraphNode] = []
        for var n in graph.nodes {
            switch n.op {
            case GraphOp.range where opset < 11, GraphOp.nonMaxSuppression where opset < 10:
                throw ExportError.invalidArgument("ONNX opset \(opset) has no '\(n.op)' (needed by this export); use opset>=11")
            case GraphOp.reshape where opset < 14:
                n.attributes["allowzero"] = nil
            case GraphOp.reduceMax where n.inputs.count > 1:
                n.attributes["axes"] = .ints(try ints(n.inputs[1]))
                n.inputs = [n.inputs[0]]
            case GraphOp.split where opset < 13 && n.inputs.count > 1:
                n.attributes["split"] = .ints(try ints(n.inputs[1]))
                n.inputs = [n.inputs[0]]
            case GraphOp.unsqueeze where opset < 13, GraphOp.squeeze where opset < 13 && n.inputs.count > 1:
                n.attributes["axes"] = .ints(try ints(n.inputs[1]))
                n.inputs = [n.inputs[0]]
            case GraphOp.softmax where opset < 13:
                let rank = graph.info(of: n.inputs[0])?.shape?.count ?? 0
                let axis = n.attributes["axis"]?.intValue ?? -1
                let a = axis < 0 ? axis + rank : axis
                if rank > 0 && a != rank - 1 {
                    var perm = Array(0..<rank)
                    perm.swapAt(a, rank - 1)
                    let before = GraphNode(name: n.name + "_transpose_in", op: GraphOp.transpose, inputs: n.inputs,
                                           outputs: [n.name + "_transpose_in_output_0"], attributes: ["perm": .ints(perm)])
                    let result = n.outputs[0]
                    n.inputs = before.outputs
                    n.outputs = [n.name + "_output_last"]
                    n.attributes["axis"] = .int(rank - 1)
                    let after = GraphNode(name: n.name + "_transpose_out", op: GraphOp.transpose, inputs: n.outputs,
                                          outputs: [result], attributes: ["perm": .ints(perm)])
                    out += [before, n, after]
                    continue
                }
            case GraphOp.resize where opset < 13 && opset >= 11 && n.inputs[1].isEmpty:
                // Resize-11 has no optional roi: an empty tensor stands in.
                let roi = GraphConstant(name: n.name + "_roi", shape: [0], floats: [])
                if !graph.constants.contains(where: { $0.name == roi.name }) { graph.constants.append(roi) }
                n.inputs[1] = roi.name
            case GraphOp.resize where opset < 11:
                n.inputs = [n.inputs[0], n.inputs[2]]
                n.attributes = ["mode": .string("nearest")]
                if opset < 10 { n.op = "Upsample" }
            case GraphOp.pad where opset < 11:
                n.attributes["pads"] = .ints(try ints(n.inputs[1]))
                if n.inputs.count > 2, let v = constants[n.inputs[2]]?.floatValues?.first { n.attributes["value"] = .float(v) }
                n.inputs = [n.inputs[0]]
            case GraphOp.maxPool where opset < 10:
                n.attributes["ceil_mode"] = nil
                n.attributes["dilations"] = nil
            case GraphOp.slice where opset < 10:
                n.attributes["starts"] = .ints(try ints(n.inputs[1]))
                n.attributes["ends"] = .ints(try ints(n.inputs[2]).map { min($0, Int(Int32.max)) })
                if n.inputs.count > 3 { n.attributes["axes"] = .ints(try ints(n.inputs[3])) }
                n.inputs = [n.inputs[0]]
            default:
                break
            }
            out.append(n)
        }
        graph.nodes = out
        _ = try DeadNodeElimination().run(&graph)
        GraphShapeInference.run(&graph)
        return true
    }
}
