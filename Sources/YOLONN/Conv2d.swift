import YOLOTensor

/// `torch.nn.Conv2d` over NHWC activations: weight `[out, in/groups, kh, kw]`, optional bias.
public final class Conv2d: Module {
    public let weight: Tensor
    public private(set) var bias: Tensor?
    public let stride: Int, padding: Int, dilation: Int, groups: Int
    /// The layer's oneDNN primitives by input shape.
    public let cache = ConvCache()

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        weight = Tensor(shape: [outChannels, inChannels / groups, kernel, kernel], requiresGrad: true)
        self.bias = bias ? Tensor(shape: [outChannels], requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    public override var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var inChannels: Int { weight.shape[1] * groups }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }

    /// Convolution with optional fused SiLU and residual add. Inference results may be blocked (`nChw8c`, see
    /// `ConvLayoutPolicy`) unless `blockedOutput` is false; `Tensor.pointer` reads them as NHWC.
    public func callAsFunction(_ x: Tensor, silu: Bool = false, residual: Tensor? = nil, blockedOutput: Bool = true,
                               into destination: Tensor? = nil) -> Tensor {
        Tensor.conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                      dilation: (dilation, dilation), groups: groups, silu: silu, residual: residual,
                      blockedOutput: blockedOutput, into: destination, cache: cache)
    }

    /// Whether this layer's result for `x` comes back blocked (`nChw8c`).
    public func givesBlocked(_ x: Tensor) -> Bool {
        Tensor.conv2dGivesBlocked(x, weight: weight, groups: groups, cache: cache)
    }

    /// Folds a per-output-channel affine map `y = a·conv(x) + b` into the weights and bias.
    public func foldAffine(scale: [Float], shift: [Float]) {
        let oc = outChannels
        precondition(scale.count == oc && shift.count == oc, "Conv2d.foldAffine: \(scale.count) for \(oc) channels")
        let per = weight.count / oc
        let w = weight.pointer  // once: each `pointer` read is an exclusivity-checked access (it cost ~40 ms per fuse)
        for o in 0..<oc {
            for i in 0..<per { w[o * per + i] *= scale[o] }
        }
        weight.markModified()
        let b = bias ?? Tensor(shape: [oc], repeating: 0, requiresGrad: true)
        let bp = b.pointer
        for o in 0..<oc { bp[o] = bp[o] * scale[o] + shift[o] }
        b.markModified()
        bias = b
        cache.removeAll()
    }
}
