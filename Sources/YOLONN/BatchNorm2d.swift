import Foundation
import YOLOTensor

/// `torch.nn.BatchNorm2d` over the channel (last) axis of NHWC activations.
/// Ultralytics sets eps = 1e-3 and momentum = 0.03 on every BN.
public final class BatchNorm2d: Module {
    public let weight, bias, runningMean, runningVar, numBatchesTracked: Tensor
    public var eps: Float
    public var momentum: Float

    public init(_ channels: Int, eps: Float = 1e-3, momentum: Float = 0.03) {
        weight = Tensor(shape: [channels], repeating: 1, requiresGrad: true)
        bias = Tensor(shape: [channels], repeating: 0, requiresGrad: true)
        runningMean = Tensor(shape: [channels], repeating: 0)
        runningVar = Tensor(shape: [channels], repeating: 1)
        numBatchesTracked = Tensor(shape: [], repeating: 0)
        self.eps = eps
        self.momentum = momentum
        super.init()
    }

    public override var namedParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
    public override var namedBuffers: [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public var channels: Int { weight.count }

    /// Inference-time per-channel scale γ/√(σ²+ε) and shift β − μ·scale.
    public func inferenceAffine() -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let s = weight.pointer[c] / (runningVar.pointer[c] + eps).squareRoot()
            scale[c] = s
            shift[c] = bias.pointer[c] - runningMean.pointer[c] * s
        }
        return (scale, shift)
    }

    /// The scale and shift to fold into a preceding bias-free convolution, rounded as torch's `fuse_conv_bn_weights`
    /// (which Ultralytics' `fuse()` uses): r = 1/√(σ²+ε) in float32, scale = γ·r, shift = ((0 − μ)·r)·γ + β.
    /// Folding with these gives bit-for-bit the reference's fused weights.
    public func fusionAffine() -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let r = 1 / (runningVar.pointer[c] + eps).squareRoot()
            scale[c] = weight.pointer[c] * r
            shift[c] = ((0 - runningMean.pointer[c]) * r) * weight.pointer[c] + bias.pointer[c]
        }
        return (scale, shift)
    }

    /// Normalizes with running statistics (inference), optionally followed by SiLU.
    public func callAsFunction(_ x: Tensor, silu: Bool = false) -> Tensor {
        precondition(x.shape.last == channels, "BatchNorm2d: input \(x.shape) for \(channels) channels")
        if isTraining { return trainingForward(x, silu: silu) }
        let (scale, shift) = inferenceAffine()
        if !Tensor.needsGrad([x]) { return x.channelAffine(scale: scale, shift: shift, silu: silu) }
        let y = x.multiplying(Tensor.broadcastChannels(scale, like: x))
            .adding(Tensor.broadcastChannels(shift, like: x))
        return silu ? y.silu() : y
    }

    /// Batch statistics forward; updates running statistics with PyTorch's momentum convention
    /// (unbiased variance for the running estimate).
    func trainingForward(_ x: Tensor, silu: Bool) -> Tensor {
        let op = silu ? Tensor.batchNormSiLUTraining : Tensor.batchNormTraining
        return op(x, weight, bias, eps) { mean, varBiased, n in
            let m = self.momentum
            for c in 0..<self.channels {
                let unbiased = n > 1 ? varBiased[c] * Float(n) / Float(n - 1) : varBiased[c]
                self.runningMean.pointer[c] = (1 - m) * self.runningMean.pointer[c] + m * mean[c]
                self.runningVar.pointer[c] = (1 - m) * self.runningVar.pointer[c] + m * unbiased
            }
            self.numBatchesTracked.pointer[0] += 1
            self.runningMean.markModified()
            self.runningVar.markModified()
        }
    }
}
