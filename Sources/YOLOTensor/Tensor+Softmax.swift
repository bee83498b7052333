import Foundation

extension Tensor {
    /// Softmax over the last axis.
    public func softmax() -> Tensor {
        let c = shape.last ?? 1
        let rows = count / max(c, 1)
        let y = Tensor(uninitializedShape: shape)
        for r in 0..<rows {
            let x = pointer + r * c, o = y.pointer + r * c
            var m = -Float.infinity
            for j in 0..<c { m = max(m, x[j]) }
            var s: Float = 0
            for j in 0..<c { o[j] = expf(x[j] - m); s += o[j] }
            for j in 0..<c { o[j] /= s }
        }
        return y.recording("softmax", [self]) { [y] g in
            let dx = Tensor(uninitializedShape: y.shape)
            for r in 0..<rows {
                let o = y.pointer + r * c, gr = g.pointer + r * c, d = dx.pointer + r * c
                var dot: Float = 0
                for j in 0..<c { dot += o[j] * gr[j] }
                for j in 0..<c { d[j] = o[j] * (gr[j] - dot) }
            }
            return [dx]
        }
    }
}
