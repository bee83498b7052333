/// One recorded operation: where each input's gradient goes, and the rule mapping the output gradient to input
/// gradients. Edges point at the producing operation (or a leaf), not at the intermediate tensors themselves, so an
/// activation no backward rule captured is freed as soon as the forward pass drops it, as in torch.
final class GradNode {
    let name: String
    /// Per input: the node that produced it, the leaf tensor itself, or nil when it needs no gradient.
    private(set) var edges: [GradEdge?]
    /// Returns one gradient per input (nil where the input needs none); nil once the graph has been released.
    private(set) var backward: ((Tensor) -> [Tensor?])?

    init(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.edges = inputs.map { t in
            if let node = t.gradNode { return .node(node) }
            return t.requiresGrad ? .leaf(t) : nil
        }
        self.backward = backward
    }

    /// Drops the rule (and whatever it captured) and the edges.
    func release() {
        backward = nil
        edges = []
    }
}

/// Where a gradient flows: into the operation that produced an input, or into a leaf's `.grad`.
enum GradEdge {
    case node(GradNode)
    case leaf(Tensor)

    var id: ObjectIdentifier {
        switch self {
        case .node(let n): return ObjectIdentifier(n)
        case .leaf(let t): return ObjectIdentifier(t)
        }
    }
}

extension Tensor {
    /// Attaches a backward rule to `self` when any input requires grad and grad mode is on. Ops outside the
    /// tensor core (fused losses) use this to join the graph; `backward` returns one gradient per input.
    @discardableResult
    public func recording(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if Tensor.needsGrad(inputs) {
            requiresGrad = true
            gradNode = GradNode(name, inputs, backward)
        }
        return self
    }

    /// Back-propagates from this tensor (a scalar unless `gradient` is given), accumulating `.grad`
    /// on every leaf that requires grad. As torch, the graph is released as it is walked (each rule and what it
    /// saved is freed once it has run) unless `retainGraph`.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        let seed = gradient ?? Tensor(shape: shape, repeating: 1)
        precondition(seed.shape == shape, "backward: gradient \(seed.shape) for tensor \(shape)")
        guard let root = gradNode.map({ GradEdge.node($0) }) ?? (requiresGrad ? .leaf(self) : nil) else { return }
        // Topological order by depth-first search.
        var order: [GradEdge] = []
        var seen = Set<ObjectIdentifier>()
        var stack: [(GradEdge, Bool)] = [(root, false)]
        while let (v, expanded) = stack.popLast() {
            if expanded { order.append(v); continue }
            if !seen.insert(v.id).inserted { continue }
            stack.append((v, true))
            if case .node(let n) = v { for e in n.edges { if let e { stack.append((e, false)) } } }
        }
        var grads: [ObjectIdentifier: Tensor] = [root.id: seed]
        for v in order.reversed() {
            guard let g = grads.removeValue(forKey: v.id) else { continue }
            switch v {
            case .leaf(let t):
                if let existing = t.grad { t.grad = existing.adding(g) } else { t.grad = g.copy() }
            case .node(let node):
                guard let rule = node.backward else { continue }
                let inputGrads = rule(g)
                for (edge, ig) in zip(node.edges, inputGrads) {
                    guard let edge, let ig else { continue }
                    grads[edge.id] = grads[edge.id].map { $0.adding(ig) } ?? ig
                }
                if !retainGraph { node.release() }
            }
        }
        if !retainGraph {
            // Nodes no gradient reached still hold their rules (which may have captured their own outputs).
            for v in order { if case .node(let n) = v { n.release() } }
            gradNode = nil
        }
    }
}
