/// One recorded operation: its inputs and the rule mapping the output gradient to input gradients.
final class GradNode {
    let name: String
    let inputs: [Tensor]
    /// Returns one gradient per input (nil where the input needs none).
    let backward: (Tensor) -> [Tensor?]

    init(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
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
    /// on every leaf that requires grad. As torch, the graph is released afterwards (each node's backward rule is
    /// dropped, which also breaks rules that captured their own output) unless `retainGraph`.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        let seed = gradient ?? Tensor(shape: shape, repeating: 1)
        precondition(seed.shape == shape, "backward: gradient \(seed.shape) for tensor \(shape)")
        // Topological order by depth-first search.
        var order: [Tensor?] = []
        var seen = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            if !seen.insert(ObjectIdentifier(t)).inserted { continue }
            stack.append((t, true))
            for input in t.gradNode?.inputs ?? [] where input.requiresGrad { stack.append((input, false)) }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for i in order.indices.reversed() {
            let t = order[i]!
            // Without retainGraph each node is released once its rule has run (it has no consumers left), so
            // activations saved for backward are freed progressively, as in torch.
            defer {
                if !retainGraph {
                    t.gradNode = nil
                    order[i] = nil
                }
            }
            guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.gradNode else {
                if let existing = t.grad { t.grad = existing.adding(g) } else { t.grad = g.copy() }
                continue
            }
            let inputGrads = node.backward(g)
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard let ig, input.requiresGrad else { continue }
                let id = ObjectIdentifier(input)
                grads[id] = grads[id].map { $0.adding(ig) } ?? ig
            }
        }
    }
}
