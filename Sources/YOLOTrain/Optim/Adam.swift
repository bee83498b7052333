import Foundation
import YOLOTensor

/// `torch.optim.Adam` / `AdamW` (eps 1e-8, no amsgrad): β1 is the group's `momentum`, β2 = 0.999. Adam adds the
/// weight decay to the gradient; AdamW decays the weights by `1 − lr·wd` first (decoupled).
public final class Adam: Optimizer {
    public let kind: OptimizerKind
    public var groups: [ParameterGroup]
    public var state: [Int: ParameterState] = [:]
    public let beta2: Double
    public let eps: Double

    public init(groups: [ParameterGroup], decoupled: Bool, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.groups = groups
        self.kind = decoupled ? .adamW : .adam
        self.beta2 = beta2
        self.eps = eps
    }

    public func step() {
        for (gi, index, p) in indexedParameters {
            guard let grad = p.grad else { continue }
            let g = groups[gi]
            var s = state[index] ?? ParameterState(buffers: ["exp_avg": Tensor(shape: p.shape, repeating: 0),
                                                             "exp_avg_sq": Tensor(shape: p.shape, repeating: 0)])
            s.step += 1
            update(p, grad: grad, group: g, state: s)
            state[index] = s
        }
    }

    private func update(_ p: Tensor, grad: Tensor, group g: ParameterGroup, state s: ParameterState) {
        let n = p.count
        let w = p.pointer, gr = grad.pointer
        let m = s.buffers["exp_avg"]!.pointer, v = s.buffers["exp_avg_sq"]!.pointer
        let beta1 = g.momentum
        let decay = Float(g.weightDecay)
        if kind == .adamW && g.weightDecay != 0 {
            let f = Float(1 - g.lr * g.weightDecay)
            for i in 0..<n { w[i] *= f }
        }
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
        for i in 0..<n {
            let gi = kind == .adam && decay != 0 ? gr[i] + decay * w[i] : gr[i]
            m[i] = m[i] + w1 * (gi - m[i])   // torch's lerp with weight < 0.5
            v[i] = v[i] * b2 + w2 * gi * gi
        }
        let bc1 = 1 - pow(beta1, Double(s.step)), bc2 = 1 - pow(beta2, Double(s.step))
        let stepSize = Float(g.lr / bc1), bc2Sqrt = Float(bc2.squareRoot()), e = Float(eps)
        for i in 0..<n { w[i] += -stepSize * (m[i] / (v[i].squareRoot() / bc2Sqrt + e)) }
        s.buffers["exp_avg"]!.markModified()
        s.buffers["exp_avg_sq"]!.markModified()
        p.markModified()
    }
}
