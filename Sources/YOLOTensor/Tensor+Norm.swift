extension Tensor {
    /// A tensor shaped like `like` whose last axis repeats `values` (a constant, no gradient).
    public static func broadcastChannels(_ values: [Float], like: Tensor) -> Tensor {
        let c = values.count
        precondition(like.shape.last == c, "broadcastChannels: \(c) values for \(like.shape)")
        let y = Tensor(uninitializedShape: like.shape)
        for r in 0..<(like.count / max(c, 1)) {
            for j in 0..<c { y.pointer[r * c + j] = values[j] }
        }
        return y
    }

    /// Batch normalization with batch statistics over every axis but the last, differentiable in
    /// `x`, `weight` and `bias`. `update` receives the batch mean, biased variance and sample count.
    public static func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float,
                                         update: ([Float], [Float], Int) -> Void) -> Tensor {
        let c = x.shape.last ?? 0
        precondition(weight.count == c && bias.count == c, "batchNorm: \(weight.count) channels for input \(x.shape)")
        let n = x.count / max(c, 1)
        var mean = [Double](repeating: 0, count: c), sq = mean
        for r in 0..<n {
            for j in 0..<c { let v = Double(x.pointer[r * c + j]); mean[j] += v; sq[j] += v * v }
        }
        var meanF = [Float](repeating: 0, count: c), varF = meanF, invStd = meanF
        for j in 0..<c {
            let m = mean[j] / Double(n)
            meanF[j] = Float(m)
            varF[j] = Float(max(sq[j] / Double(n) - m * m, 0))
            invStd[j] = 1 / (varF[j] + eps).squareRoot()
        }
        update(meanF, varF, n)
        let xhat = Tensor(uninitializedShape: x.shape), y = Tensor(uninitializedShape: x.shape)
        for r in 0..<n {
            for j in 0..<c {
                let h = (x.pointer[r * c + j] - meanF[j]) * invStd[j]
                xhat.pointer[r * c + j] = h
                y.pointer[r * c + j] = h * weight.pointer[j] + bias.pointer[j]
            }
        }
        return y.recording("batchnorm", [x, weight, bias]) { g in
            var sumG = [Float](repeating: 0, count: c), sumGH = sumG
            for r in 0..<n {
                for j in 0..<c { sumG[j] += g.pointer[r * c + j]; sumGH[j] += g.pointer[r * c + j] * xhat.pointer[r * c + j] }
            }
            let dx = Tensor(uninitializedShape: x.shape)
            let nf = Float(n)
            for r in 0..<n {
                for j in 0..<c {
                    let i = r * c + j
                    dx.pointer[i] = weight.pointer[j] * invStd[j] / nf * (nf * g.pointer[i] - sumG[j] - xhat.pointer[i] * sumGH[j])
                }
            }
            return [dx, Tensor(shape: [c], values: sumGH), Tensor(shape: [c], values: sumG)]
        }
    }
}
