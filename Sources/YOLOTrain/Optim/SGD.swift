import YOLOTensor

/// `torch.optim.SGD` with momentum (no dampening), optional Nesterov, and L2 weight decay added to the gradient.
public final class SGD: Optimizer {
    public let kind: OptimizerKind
    public var groups: [ParameterGroup]
    public var state: [Int: ParameterState] = [:]
    public let nesterov: Bool

    public init(groups: [ParameterGroup], nesterov: Bool = true, kind: OptimizerKind = .sgd) {
        self.groups = groups
        self.nesterov = nesterov
        self.kind = kind
    }

    public func step() {
        for (gi, index, p) in indexedParameters {
            guard let grad = p.grad else { continue }
            let g = groups[gi]
            var s = state[index] ?? ParameterState()
            SGD.update(p, grad: grad, lr: Float(g.lr), momentum: Float(g.momentum), decay: Float(g.weightDecay),
                       nesterov: nesterov, state: &s)
            state[index] = s
        }
    }

    /// One SGD update of `p` (shared by MuSGD's plain groups).
    static func update(_ p: Tensor, grad: Tensor, lr: Float, momentum: Float, decay: Float, nesterov: Bool,
                       state s: inout ParameterState) {
        let n = p.count
        let w = p.pointer, gr = grad.pointer
        let d = Tensor(uninitializedShape: p.shape)
        let dp = d.pointer
        for i in 0..<n { dp[i] = decay != 0 ? gr[i] + decay * w[i] : gr[i] }
        if momentum != 0 {
            if let buf = s.buffers["momentum_buffer"] {
                let b = buf.pointer
                for i in 0..<n { b[i] = b[i] * momentum + dp[i] }
                buf.markModified()
                if nesterov { for i in 0..<n { dp[i] += momentum * b[i] } } else { d.assign(buf) }
            } else {
                let buf = d.copy()
                s.buffers["momentum_buffer"] = buf
                if nesterov { for i in 0..<n { dp[i] += momentum * buf.pointer[i] } }
            }
        }
        for i in 0..<n { w[i] += -lr * dp[i] }
        s.step += 1
        p.markModified()
    }
}
