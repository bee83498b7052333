import YOLONN
import YOLOTensor

/// Ultralytics `Conv`: Conv2d (no bias, "same" padding) → BatchNorm2d → SiLU.
/// After `fuse()` the BN is folded into the convolution and SiLU runs as a oneDNN post-op.
public final class ConvBlock: Module {
    public let conv: Conv2d
    public private(set) var bn: BatchNorm2d?
    public let act: Bool

    public init(_ c1: Int, _ c2: Int, k: Int = 1, s: Int = 1, p: Int? = nil, g: Int = 1, d: Int = 1, act: Bool = true) {
        let pad = p ?? (d > 1 ? d * (k - 1) / 2 : k / 2)
        conv = Conv2d(c1, c2, kernel: k, stride: s, padding: pad, dilation: d, groups: g, bias: false)
        bn = BatchNorm2d(c2)
        self.act = act
        super.init()
    }

    public override var namedChildren: [(String, Module)] {
        [("conv", conv)] + (bn.map { [("bn", $0 as Module)] } ?? [])
    }

    /// Whether the BN has been folded into the convolution.
    public var isFused: Bool { bn == nil }

    /// Forward; `residual` (shaped like the output) is added after the activation. With a `destination` the result is
    /// written there (see `Tensor.conv2d(into:)`).
    public func callAsFunction(_ x: Tensor, residual: Tensor? = nil, into destination: Tensor? = nil) -> Tensor {
        guard let bn else { return conv(x, silu: act, residual: residual, into: destination) }
        let y = bn(conv(x, blockedOutput: false), silu: act)  // the batch norm reads NHWC
        let out = residual.map { y.adding($0) } ?? y
        return destination.map { $0.overwrite(with: out) } ?? out
    }

    /// Whether the result for `x` comes back blocked (`nChw8c`): fused, where the convolution gives it.
    public func givesBlocked(_ x: Tensor) -> Bool { bn == nil && conv.givesBlocked(x) }

    /// Folds the BN into the convolution (inference only).
    public func fuse() {
        guard let b = bn else { return }
        let (scale, shift) = b.fusionAffine()
        conv.foldAffine(scale: scale, shift: shift)
        bn = nil
    }
}

/// A layer of the model graph: takes the outputs of its `from` layers.
public protocol GraphLayer: Module {
    func forward(_ inputs: [Tensor]) -> Tensor
}

extension ConvBlock: GraphLayer {
    public func forward(_ inputs: [Tensor]) -> Tensor { self(inputs[0]) }
}
