/// Merges a `Transpose` that reads another `Transpose` (used nowhere else) into one node with the composed
/// permutation, and drops the pair when the composition is the identity. Opset < 13 legalization wraps Softmax in
/// Transposes; this folds the first of them into the DFL's own Transpose, as onnxslim does for the reference.
public struct TransposeFusion: GraphPass {
    public let name = "transpose fusion"
    public init() {}

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        var changed = false
        var merged = true
        while merged {
            merged = false
            let producers = graph.producers, consumers = graph.consumers
            for (i, n) in graph.nodes.enumerated() where n.op == GraphOp.transpose {
                guard let p = producers[n.inputs[0]], graph.nodes[p].op == GraphOp.transpose,
                      (consumers[n.inputs[0]] ?? []).count == 1, !graph.isOutput(n.inputs[0]),
                      let inner = graph.nodes[p].attributes["perm"]?.intsValue,
                      let outer = n.attributes["perm"]?.intsValue, inner.count == outer.count else { continue }
                let composed = outer.map { inner[$0] }
                let source = graph.nodes[p].inputs[0]
                if composed == Array(0..<composed.count) && !graph.isOutput(n.outputs[0]) {
                    graph.replaceUses(of: n.outputs[0], with: source)
                    graph.nodes.remove(at: max(i, p))
                    graph.nodes.remove(at: min(i, p))
                } else {
                    graph.nodes[i].inputs[0] = source
                    graph.nodes[i].attributes["perm"] = .ints(composed)
                    graph.nodes.remove(at: p)
                }
                graph.valueInfo[n.inputs[0]] = nil
                merged = true
                changed = true
                break
            }
        }
        return changed
    }
}
