/// Removes `Identity` nodes (and Reshapes/Casts that provably change nothing: a Reshape to the input's own fixed
/// shape, a Cast to the input's own type), reading their input directly. A node whose output is a graph output is
/// kept unless its input comes from another node, whose output then takes the graph output's name.
public struct IdentityRemoval: GraphPass {
    public let name = "identity removal"
    public init() {}

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        var changed = false
        var i = 0
        while i < graph.nodes.count {
            let n = graph.nodes[i]
            guard isNoOp(n, graph), let input = n.inputs.first, !input.isEmpty, n.outputs.count == 1 else {
                i += 1
                continue
            }
            let output = n.outputs[0]
            if graph.isOutput(output) {
                // Rename the producer's output to the graph output, if the input is a node output used only here.
                guard let p = graph.nodes.firstIndex(where: { $0.outputs.contains(input) }),
                      (graph.consumers[input] ?? []).count == 1, !graph.isOutput(input) else {
                    i += 1
                    continue
                }
                graph.nodes[p].outputs = graph.nodes[p].outputs.map { $0 == input ? output : $0 }
            } else {
                graph.replaceUses(of: output, with: input)
            }
            graph.nodes.remove(at: i)
            graph.valueInfo[output] = nil
            changed = true
        }
        return changed
    }

    private func isNoOp(_ n: GraphNode, _ g: ExportGraph) -> Bool {
        switch n.op {
        case GraphOp.identity:
            return true
        case GraphOp.cast:
            guard case .dtype(let to)? = n.attributes["to"], let t = g.info(of: n.inputs[0]) else { return false }
            return t.dtype == to
        case GraphOp.reshape:
            guard let inShape = g.info(of: n.inputs[0])?.shape?.fixedValues, n.inputs.count > 1,
                  let target = g.constant(named: n.inputs[1])?.intValues else { return false }
            return target.map(Int.init) == inShape
        default:
            return false
        }
    }
}
