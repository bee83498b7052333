import Foundation
import YOLOTensor

/// torch's `Adamax`, `NAdam` and `RAdam` (single-tensor CPU paths, eps 1e-8, β2 0.999, L2 weight decay, NAdam
/// momentum decay 0.004): the rest of the Adam family the reference's `optimizer=` accepts. β1 is the group's
/// `momentum`.
public final class AdamVariant: Optimizer {
    public let kind: OptimizerKind
    public var groups: [ParameterGroup]
    public var state: [Int: ParameterState] = [:]
    let beta2 = 0.999, eps = 1e-8, momentumDecay = 0.004
    /// NAdam's running product of μ per parameter (torch keeps it as the `mu_product` state entry).
    var muProducts: [Int: Double] = [:]

    public init(groups: [ParameterGroup], kind: OptimizerKind) {
        precondition([.adamax, .nAdam, .rAdam].contains(kind), "AdamVariant: \(kind) is not an Adam variant")
        self.groups = groups
        self.kind = kind
    }

    public func step() {
        for (gi, index, p) in indexedParameters {
            guard let grad = p.grad else { continue }
            let g = groups[gi]
            let second = kind == .adamax ? "exp_inf" : "exp_avg_sq"
            var s = state[index] ?? ParameterState(buffers: ["exp_avg": Tensor(shape: p.shape, repeating: 0),
                                                             second: Tensor(shape: p.shape, repeating: 0)])
            s.step += 1
            let n = p.count, w = p.pointer, gr = grad.pointer
            let m = s.buffers["exp_avg"]!.pointer, v = s.buffers[second]!.pointer
            let beta1 = g.momentum, t = Double(s.step), decay = Float(g.weightDecay)
            let w1 = Float(1 - beta1)
            var gv = [Float](repeating: 0, count: n)
            for i in 0..<n {
                gv[i] = decay != 0 ? gr[i] + decay * w[i] : gr[i]
                m[i] = m[i] + w1 * (gv[i] - m[i])
            }
            switch kind {
            case .adamax:
                let b2 = Float(beta2), e = Float(eps)
                let clr = Float(g.lr / (1 - pow(beta1, t)))
                for i in 0..<n {
                    v[i] = max(v[i] * b2, abs(gv[i]) + e)
                    w[i] += -clr * (m[i] / v[i])
                }
            case .nAdam:
                let mu = beta1 * (1 - 0.5 * pow(0.96, t * momentumDecay))
                let muNext = beta1 * (1 - 0.5 * pow(0.96, (t + 1) * momentumDecay))
                let product = (muProducts[index] ?? 1) * mu
                muProducts[index] = product
                let bc2 = Float(1 - pow(beta2, t)), b2 = Float(beta2), w2 = Float(1 - beta2), e = Float(eps)
                let c1 = Float(-g.lr * (1 - mu) / (1 - product)), c2 = Float(-g.lr * muNext / (1 - product * muNext))
                for i in 0..<n {
                    v[i] = v[i] * b2 + w2 * gv[i] * gv[i]
                    let denom = (v[i] / bc2).squareRoot() + e
                    w[i] += c1 * (gv[i] / denom)
                    w[i] += c2 * (m[i] / denom)
                }
            default:  // RAdam
                let b2 = Float(beta2), w2 = Float(1 - beta2), e = Float(eps)
                let bc1 = 1 - pow(beta1, t), bc2 = 1 - pow(beta2, t)
                let rhoInf = 2 / (1 - beta2) - 1
                let rhoT = rhoInf - 2 * t * pow(beta2, t) / bc2
                let lr = Float(g.lr), fbc1 = Float(bc1)
                for i in 0..<n { v[i] = v[i] * b2 + w2 * gv[i] * gv[i] }
                if rhoT > 5 {
                    let rect = Float(((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot())
                    let sq = Float(bc2.squareRoot())
                    for i in 0..<n { w[i] += -((m[i] / fbc1) * lr * (sq / (v[i].squareRoot() + e)) * rect) }
                } else {
                    for i in 0..<n { w[i] += -((m[i] / fbc1) * lr) }
                }
            }
            s.buffers["exp_avg"]!.markModified()
            s.buffers[second]!.markModified()
            p.markModified()
            state[index] = s
        }
    }
}

/// torch's `RMSprop` as the reference configures it: lr, `momentum` from the group, α 0.99, eps 1e-8, not centred,
/// L2 weight decay.
public final class RMSprop: Optimizer {
    public let kind = OptimizerKind.rmsProp
    public var groups: [ParameterGroup]
    public var state: [Int: ParameterState] = [:]
    let alpha: Float = 0.99, eps: Float = 1e-8

    public init(groups: [ParameterGroup]) { self.groups = groups }

    public func step() {
        for (gi, index, p) in indexedParameters {
            guard let grad = p.grad else { continue }
            let g = groups[gi]
            var s = state[index] ?? ParameterState(buffers: ["square_avg": Tensor(shape: p.shape, repeating: 0)])
            if g.momentum > 0, s.buffers["momentum_buffer"] == nil {
                s.buffers["momentum_buffer"] = Tensor(shape: p.shape, repeating: 0)
            }
            s.step += 1
            let n = p.count, w = p.pointer, gr = grad.pointer, sq = s.buffers["square_avg"]!.pointer
            let decay = Float(g.weightDecay), lr = Float(g.lr), mom = Float(g.momentum)
            let buf = mom > 0 ? s.buffers["momentum_buffer"]?.pointer : nil
            for i in 0..<n {
                let gi = decay != 0 ? gr[i] + decay * w[i] : gr[i]
                sq[i] = sq[i] * alpha + (1 - alpha) * gi * gi
                let avg = sq[i].squareRoot() + eps
                if let buf {
                    buf[i] = buf[i] * mom + gi / avg
                    w[i] += -lr * buf[i]
                } else {
                    w[i] += -lr * (gi / avg)
                }
            }
            s.buffers.values.forEach { $0.markModified() }
            p.markModified()
            state[index] = s
        }
    }
}
