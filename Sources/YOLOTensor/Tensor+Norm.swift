import CKernels

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
        var meanF = [Float](repeating: 0, count: c), varF = meanF, invStd = meanF
        let xhat = Tensor(uninitializedShape: x.shape), y = Tensor(uninitializedShape: x.shape)
        yk_bn_train_forward(x.pointer, Int64(n), Int64(c), weight.pointer, bias.pointer, eps, &meanF, &varF, &invStd,
                            xhat.pointer, y.pointer)
        update(meanF, varF, n)
        return y.recording("batchnorm", [x, weight, bias]) { g in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = Tensor(uninitializedShape: [c]), db = Tensor(uninitializedShape: [c])
            yk_bn_train_backward(xhat.pointer, g.pointer, Int64(n), Int64(c), weight.pointer, invStd, dx?.pointer,
                                 dw.pointer, db.pointer)
            return [dx, dw, db]
        }
    }

    /// Batch normalization with batch statistics followed by SiLU, as one op that keeps only `x` (and the
    /// per-channel mean and 1/std) for backward: values equal `batchNormTraining(…).silu()` bit for bit, with two
    /// activation-sized buffers fewer alive between forward and backward.
    public static func batchNormSiLUTraining(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float,
                                             update: ([Float], [Float], Int) -> Void) -> Tensor {
        let c = x.shape.last ?? 0
        precondition(weight.count == c && bias.count == c, "batchNormSiLU: \(weight.count) channels for input \(x.shape)")
        let n = x.count / max(c, 1)
        var meanF = [Float](repeating: 0, count: c), varF = meanF, invStd = meanF
        let y = Tensor(uninitializedShape: x.shape)
        yk_bn_silu_train_forward(x.pointer, Int64(n), Int64(c), weight.pointer, bias.pointer, eps, &meanF, &varF,
                                 &invStd, y.pointer)
        update(meanF, varF, n)
        return y.recording("batchnorm_silu", [x, weight, bias]) { g in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = Tensor(uninitializedShape: [c]), db = Tensor(uninitializedShape: [c])
            yk_bn_silu_train_backward(x.pointer, g.pointer, Int64(n), Int64(c), weight.pointer, bias.pointer, meanF,
                                      invStd, dx?.pointer, dw.pointer, db.pointer)
            return [dx, dw, db]
        }
    }
}
