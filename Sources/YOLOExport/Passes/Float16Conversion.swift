/// Converts a float32 graph to float16 computation with float32 inputs and outputs, as the reference's CPU
/// `quantize=16` ONNX path does (onnxruntime's converter with `keep_io_types`): float constants become float16
/// (except inputs that must stay float32: Resize scales/roi, NonMaxSuppression thresholds), `Cast`s to float32 and
/// float `ConstantOfShape` fills become float16, a `Cast` node `graph_input_cast0` follows each float input and a
/// `graph_output_cast0` precedes each float output, and NonMaxSuppression (float32-only in ONNX Runtime) gets
/// its boxes and scores cast back to float32.
public struct Float16Conversion: GraphPass {
    public let name = "float16 conversion"
    public init() {}

    /// Input slots that keep float32 constants.
    static let float32Slots: [String: Set<Int>] = [GraphOp.resize: [1, 2], GraphOp.nonMaxSuppression: [3, 4]]

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        guard !graph.nodes.contains(where: { $0.name.hasPrefix("graph_input_cast") }) else { return false }
        // Constants: float32 → float16 unless some consumer needs float32 at that slot.
        var keep = Set<String>()
        for n in graph.nodes {
            for slot in Self.float32Slots[n.op] ?? [] where slot < n.inputs.count { keep.insert(n.inputs[slot]) }
        }
        for i in graph.constants.indices where graph.constants[i].dtype == .float32 && !keep.contains(graph.constants[i].name) {
            graph.constants[i] = graph.constants[i].convertedToFloat16()
        }
        var nodes: [GraphNode] = []
        // Inputs: cast to float16 first.
        for (k, input) in graph.inputs.enumerated() where input.dtype == .float32 {
            let casted = "graph_input_cast_\(k)"
            graph.replaceUses(of: input.name, with: casted)
            nodes.append(GraphNode(name: "graph_input_cast\(k)", op: GraphOp.cast, inputs: [input.name], outputs: [casted],
                                   attributes: ["to": .dtype(.float16)]))
        }
        for var n in graph.nodes {
            if n.op == GraphOp.cast, case .dtype(.float32)? = n.attributes["to"] { n.attributes["to"] = .dtype(.float16) }
            if n.op == GraphOp.constantOfShape, case .tensor(let v)? = n.attributes["value"], v.dtype == .float32 {
                n.attributes["value"] = .tensor(v.convertedToFloat16())
            }
            if n.op == GraphOp.nonMaxSuppression {
                for slot in 0..<2 {
                    let casted = "\(n.name)_input_cast_\(slot)"
                    nodes.append(GraphNode(name: "\(n.name)_input_cast\(slot)", op: GraphOp.cast, inputs: [n.inputs[slot]],
                                           outputs: [casted], attributes: ["to": .dtype(.float32)]))
                    n.inputs[slot] = casted
                }
            }
            nodes.append(n)
        }
        graph.nodes = nodes
        // Outputs: the producer writes float16 under a new name, a Cast restores float32 under the output's name.
        for (k, output) in graph.outputs.enumerated() where output.dtype == .float32 {
            let internalName = "graph_output_cast_\(k)"
            for i in graph.nodes.indices {
                graph.nodes[i].outputs = graph.nodes[i].outputs.map { $0 == output.name ? internalName : $0 }
                graph.nodes[i].inputs = graph.nodes[i].inputs.map { $0 == output.name ? internalName : $0 }
            }
            graph.nodes.append(GraphNode(name: "graph_output_cast\(k)", op: GraphOp.cast, inputs: [internalName],
                                         outputs: [output.name], attributes: ["to": .dtype(.float32)]))
        }
        GraphShapeInference.run(&graph)
        return true
    }
}
