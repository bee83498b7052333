/// Removes nodes none of whose outputs reach a graph output, then constants nothing reads.
public struct DeadNodeElimination: GraphPass {
    public let name = "dead-node elimination"
    public init() {}

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        var live = Set(graph.outputs.map(\.name))
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for i in graph.nodes.indices.reversed() {
            let n = graph.nodes[i]
            guard n.outputs.contains(where: live.contains) else { continue }
            keep[i] = true
            for t in n.inputs where !t.isEmpty { live.insert(t) }
        }
        let before = (graph.nodes.count, graph.constants.count)
        graph.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
        graph.constants.removeAll { !live.contains($0.name) }
        let liveNames = Set(graph.nodes.flatMap(\.outputs))
        graph.valueInfo = graph.valueInfo.filter { liveNames.contains($0.key) }
        return before != (graph.nodes.count, graph.constants.count)
    }
}
