import YOLOTensor

/// `torch.nn.utils.clip_grad_norm_`: scales every gradient by max_norm / (‖g‖₂ + 1e-6) when that is below 1,
/// where ‖g‖₂ is the L2 norm over all gradients. Returns the total norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float = 10) -> Float {
    var sumSq: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        var s: Float = 0
        for i in 0..<g.count { s += g.pointer[i] * g.pointer[i] }
        sumSq += Double(s)
    }
    let total = Float(sumSq.squareRoot())
    let coef = min(maxNorm / (total + 1e-6), 1)
    if coef < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            for i in 0..<g.count { g.pointer[i] *= coef }
            g.markModified()
        }
    }
    return total
}
