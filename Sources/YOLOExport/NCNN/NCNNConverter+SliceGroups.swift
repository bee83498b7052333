/// Sibling slices of one tensor along one axis whose ranges tile the axis: written as one ncnn `Slice`.
struct NCNNSliceGroup {
    var input: String
    /// IR axis (non-negative).
    var axis: Int
    /// Output tensors in axis order and their sizes.
    var outputs: [String]
    var sizes: [Int]
}

extension NCNNConverter {
    /// Groups of Slice nodes that tile an axis of one tensor (static bounds, unit steps, ≥ 2 members), keyed by
    /// their first node; and the names of the other members.
    static func tilingSlices(_ g: ExportGraph) throws -> ([String: NCNNSliceGroup], Set<String>) {
        struct Member { var node: String; var output: String; var start: Int; var end: Int }
        var groups: [String: (axis: Int, dim: Int, members: [Member])] = [:]
        var order: [String] = []
        for n in g.nodes where n.op == GraphOp.slice {
            guard n.inputs.count >= 4, let starts = g.constant(named: n.inputs[1])?.intValues,
                  let ends = g.constant(named: n.inputs[2])?.intValues, let axes = g.constant(named: n.inputs[3])?.intValues,
                  starts.count == 1, ends.count == 1, axes.count == 1,
                  n.inputs.count < 5 || n.inputs[4].isEmpty || g.constant(named: n.inputs[4])?.intValues == [1],
                  let shape = g.info(of: n.inputs[0])?.shape?.fixedValues else { continue }
            let rank = shape.count
            let axis = Int(axes[0] < 0 ? axes[0] + Int64(rank) : axes[0])
            guard axis > 0, axis < rank else { continue }
            let dim = shape[axis]
            func clamp(_ v: Int64) -> Int { min(max(Int(v < 0 ? v + Int64(dim) : min(v, Int64(dim))), 0), dim) }
            let key = n.inputs[0] + "|\(axis)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: (axis, dim, [])].members.append(
                Member(node: n.name, output: n.outputs[0], start: clamp(starts[0]), end: clamp(ends[0])))
        }
        var result: [String: NCNNSliceGroup] = [:]
        var skipped: Set<String> = []
        for key in order {
            let (axis, dim, members) = groups[key]!
            guard members.count >= 2 else { continue }
            let sorted = members.sorted { $0.start < $1.start }
            var cursor = 0
            for m in sorted where m.start == cursor && m.end > m.start { cursor = m.end }
            guard cursor == dim, zip(sorted, sorted.dropFirst()).allSatisfy({ $0.end == $1.start }), sorted[0].start == 0 else { continue }
            result[members[0].node] = NCNNSliceGroup(input: String(key.split(separator: "|").dropLast().joined(separator: "|")),
                                                 axis: axis, outputs: sorted.map(\.output), sizes: sorted.map { $0.end - $0.start })
            for m in members.dropFirst() { skipped.insert(m.node) }
        }
        return (result, skipped)
    }
}
