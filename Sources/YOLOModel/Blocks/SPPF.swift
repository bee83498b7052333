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
        if let y = forwardInPlace(inputs[0]) { return y }
        var maps = [cv1(inputs[0])]
        for _ in 0..<3 { maps.append(maps.last!.maxPool2d(kernel: k, stride: 1, padding: k / 2)) }
        return cv2(Tensor.concatChannels(maps))
    }

    /// Inference on one blocked image: cv1 and the three pools write into channel windows of the concatenation cv2
    /// reads (as C2f does). Nil for batches, training, NHWC or bf16 chains and widths that are not whole blocks of 8.
    func forwardInPlace(_ x: Tensor) -> Tensor? {
        let hidden = cv1.conv.outChannels
        guard x.rank == 4, x.shape[0] == 1, hidden % 8 == 0, cv1.conv.stride == 1, cv1.conv.kernelSize == 1,
              cv1.givesBlocked(x) else { return nil }
        let cat = Tensor(blockedShape: [1, x.shape[1], x.shape[2], 4 * hidden])
        var last = cv1(x, into: cat.blockedChannelWindow(0, hidden)!)
        for i in 1...3 {
            last = last.maxPool2d(kernel: k, stride: 1, padding: k / 2, into: cat.blockedChannelWindow(i * hidden, hidden)!)
        }
        return cv2(cat)
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
