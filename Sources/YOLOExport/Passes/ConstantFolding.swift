import Foundation

/// Evaluates nodes whose inputs are all constants (and `Shape` of tensors whose shape is fully known) and replaces
/// them with constants named as their outputs. Covers the shape and small arithmetic ops: Add, Sub, Mul, Div,
/// Min, Max, Cast, Concat, Reshape, Unsqueeze, Squeeze, Identity, Shape, Gather, Range, ConstantOfShape, Expand,
/// Slice (axis lists on any rank) and Sigmoid. Graph outputs are never folded away.
public struct ConstantFolding: GraphPass {
    public let name = "constant folding"
    /// Constants larger than this many elements are not created by folding (keeps files small, as onnxslim does
    /// for big broadcasts).
    public var maxElements = 1 << 20

    public init() {}

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        GraphShapeInference.run(&graph)
        var constants = graph.constantsByName
        var changed = false
        var kept: [GraphNode] = []
        for node in graph.nodes {
            if !node.outputs.contains(where: graph.isOutput), let values = fold(node, constants, graph), values.count == node.outputs.count,
               values.allSatisfy({ $0.count <= maxElements }) {
                for (name, v) in zip(node.outputs, values) {
                    let c = GraphConstant(name: name, shape: v.shape, data: v.data)
                    constants[name] = c
                    graph.constants.append(c)
                    graph.valueInfo[name] = nil
                }
                changed = true
            } else {
                kept.append(node)
            }
        }
        graph.nodes = kept
        return changed
    }

    private func fold(_ n: GraphNode, _ constants: [String: GraphConstant], _ graph: ExportGraph) -> [FoldTensor]? {
        if n.op == GraphOp.shape {
            guard let s = graph.info(of: n.inputs[0])?.shape?.fixedValues else { return nil }
            return [FoldTensor(shape: [s.count], ints: s.map(Int64.init))]
        }
        var ins: [FoldTensor?] = []
        for name in n.inputs {
            if name.isEmpty { ins.append(nil); continue }
            guard let c = constants[name], let t = FoldTensor(c) else { return nil }
            ins.append(t)
        }
        guard let x = ins.first ?? nil else { return nil }
        func ints(_ k: Int) -> [Int]? { k < ins.count ? ins[k]?.intValues : nil }
        func axis(_ a: Int, _ rank: Int) -> Int { a < 0 ? a + rank : a }
        switch n.op {
        case GraphOp.identity: return [x]
        case GraphOp.add: return FoldTensor.binary(x, ins[1], +, +).map { [$0] }
        case GraphOp.sub: return FoldTensor.binary(x, ins[1], -, -).map { [$0] }
        case GraphOp.mul: return FoldTensor.binary(x, ins[1], *, *).map { [$0] }
        case GraphOp.div: return FoldTensor.binary(x, ins[1], /, { $1 == 0 ? 0 : $0 / $1 }).map { [$0] }
        case GraphOp.min: return FoldTensor.binary(x, ins[1], { Swift.min($0, $1) }, { Swift.min($0, $1) }).map { [$0] }
        case GraphOp.max: return FoldTensor.binary(x, ins[1], { Swift.max($0, $1) }, { Swift.max($0, $1) }).map { [$0] }
        case GraphOp.sigmoid:
            guard let f = x.floats else { return nil }
            return [FoldTensor(shape: x.shape, floats: f.map { 1 / (1 + Foundation.exp(-$0)) }, dtype: x.dtype)]
        case GraphOp.cast:
            guard case .dtype(let to)? = n.attributes["to"] else { return nil }
            return x.cast(to).map { [$0] }
        case GraphOp.reshape:
            guard let target = ints(1) else { return nil }
            var shape = target.enumerated().map { $0.element == 0 && $0.offset < x.shape.count ? x.shape[$0.offset] : $0.element }
            if let m = shape.firstIndex(of: -1) {
                let rest = shape.enumerated().filter { $0.offset != m }.reduce(1) { $0 * $1.element }
                guard rest > 0 else { return nil }
                shape[m] = x.count / rest
            }
            guard shape.reduce(1, *) == x.count else { return nil }
            return [x.reshaped(shape)]
        case GraphOp.unsqueeze:
            guard let axes = ints(1) else { return nil }
            var s = x.shape
            let rank = s.count + axes.count
            for a in axes.map({ axis($0, rank) }).sorted() { s.insert(1, at: a) }
            return [x.reshaped(s)]
        case GraphOp.squeeze:
            let axes = Set(ints(1)?.map { axis($0, x.shape.count) } ?? x.shape.indices.filter { x.shape[$0] == 1 })
            return [x.reshaped(x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] })]
        case GraphOp.concat:
            let parts = ins.compactMap { $0 }
            return FoldTensor.concat(parts, axis: axis(n.attributes["axis"]?.intValue ?? 0, x.shape.count)).map { [$0] }
        case GraphOp.gather:
            guard let idx = ins[1]?.intValues, let idxShape = ins[1]?.shape else { return nil }
            return x.gather(idx, indexShape: idxShape, axis: axis(n.attributes["axis"]?.intValue ?? 0, x.shape.count)).map { [$0] }
        case GraphOp.slice:
            guard let starts = ints(1), let ends = ints(2) else { return nil }
            let axes = (ints(3) ?? Array(0..<starts.count)).map { axis($0, x.shape.count) }
            let steps = ints(4) ?? [Int](repeating: 1, count: starts.count)
            return x.slice(starts: starts, ends: ends, axes: axes, steps: steps).map { [$0] }
        case GraphOp.range:
            guard ins.count == 3, let start = ins[0]?.scalar, let limit = ins[1]?.scalar, let delta = ins[2]?.scalar,
                  delta != 0 else { return nil }
            let count = Swift.max(Int(((limit - start) / delta).rounded(.up)), 0)
            let values = (0..<count).map { start + Double($0) * delta }
            return [FoldTensor(shape: [count], values: values, dtype: x.dtype)]
        case GraphOp.constantOfShape:
            guard let shape = x.intValues, case .tensor(let v)? = n.attributes["value"], let fill = FoldTensor(v) else { return nil }
            let count = shape.reduce(1, *)
            return [FoldTensor(shape: shape, values: [Double](repeating: fill.values[0], count: count), dtype: fill.dtype)]
        case GraphOp.expand:
            guard let target = ints(1) else { return nil }
            let ones = FoldTensor(shape: target, values: [Double](repeating: 1, count: target.reduce(1, *)), dtype: x.dtype)
            return FoldTensor.binary(x, ones, *, *).map { [$0] }
        default:
            return nil
        }
    }
}
