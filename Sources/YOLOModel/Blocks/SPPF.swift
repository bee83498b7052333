import YOLONN
import YOLOTensor

/// Spatial pyramid pooling (fast): three chained 5×5 max-pools, all four maps concatenated.
public final class SPPF: Module, GraphLayer {
    public let cv1: ConvBlock
    public let cv2: ConvBlock
    public let k: Int

    public init(_ c1: Int, _ c2: Int, k: Int = 5) {
        let hidden = c1 / 2
        cv1 = ConvBlock(c1, hidden, k: 1, s: 1)
        cv2 = ConvBlock(hidden * 4, c2, k: 1, s: 1)
        self.k = k
        super.init()
    }

    public override var namedChildren: [(String, Module)] { [("cv1", cv1), ("cv2", cv2)] }

    public func forward(_ inputs: [Tensor]) -> Tensor {
        var maps = [cv1(inputs[0])]
        for _ in 0..<3 { maps.append(maps.last!.maxPool2d(kernel: k, stride: 1, padding: k / 2)) }
        return cv2(Tensor.concatChannels(maps))
    }
}

/// `nn.Upsample(scale_factor: s, mode: "nearest")`.
public final class Upsample: Module, GraphLayer {
    public let scale: Int
    public init(scale: Int) { self.scale = scale; super.init() }
    public func forward(_ inputs: [Tensor]) -> Tensor { inputs[0].upsampleNearest(scale) }
}

/// Channel concatenation of the `from` layers, in order.
public final class Concat: Module, GraphLayer {
    public func forward(_ inputs: [Tensor]) -> Tensor { Tensor.concatChannels(inputs) }
}
