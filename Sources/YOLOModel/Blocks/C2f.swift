import YOLONN
import YOLOTensor

/// CSP bottleneck with two convolutions, every bottleneck output concatenated (YOLOv8's main block).
public final class C2f: Module, GraphLayer {
    public let cv1: ConvBlock
    public let cv2: ConvBlock
    public let m: ModuleList
    let hidden: Int

    public init(_ c1: Int, _ c2: Int, n: Int = 1, shortcut: Bool = false, g: Int = 1, e: Double = 0.5) {
        let c = Int(Double(c2) * e)
        hidden = c
        cv1 = ConvBlock(c1, 2 * c, k: 1, s: 1)
        cv2 = ConvBlock((2 + n) * c, c2, k: 1)
        m = ModuleList((0..<n).map { _ in Bottleneck(c, c, shortcut: shortcut, g: g, k: (3, 3), e: 1) })
        super.init()
    }

    public override var namedChildren: [(String, Module)] { [("cv1", cv1), ("cv2", cv2), ("m", m)] }

    public func forward(_ inputs: [Tensor]) -> Tensor {
        if let y = forwardInPlace(inputs[0]) { return y }
        let y = cv1(inputs[0])
        // cv1's output already holds both halves in order, so it is the first concat part as a whole.
        var parts = [y]
        var last = y.sliceChannels(hidden, hidden)
        for case let b as Bottleneck in m.items {
            last = b(last)
            parts.append(last)
        }
        return cv2(Tensor.concatChannels(parts))
    }

    /// Inference on one blocked image: the concatenation cv2 reads is allocated first, cv1 and every bottleneck write
    /// their results into its channel windows and the split is a window too, so nothing is copied (a concat and a
    /// split were 3-4 % of yolov8n-pose's forward). Nil where that does not apply (batches, training, NHWC or bf16
    /// chains, hidden widths that are not whole blocks of 8).
    func forwardInPlace(_ x: Tensor) -> Tensor? {
        guard x.rank == 4, x.shape[0] == 1, hidden % 8 == 0, cv1.conv.stride == 1, cv1.conv.kernelSize == 1,
              cv1.givesBlocked(x) else { return nil }
        let bottlenecks = m.items.compactMap { $0 as? Bottleneck }
        guard bottlenecks.count == m.items.count else { return nil }
        let cat = Tensor(blockedShape: [1, x.shape[1], x.shape[2], (2 + bottlenecks.count) * hidden])
        guard let head = cat.blockedChannelWindow(0, 2 * hidden) else { return nil }
        _ = cv1(x, into: head)
        var last = cat.blockedChannelWindow(hidden, hidden)!
        for (i, b) in bottlenecks.enumerated() {
            last = b(last, into: cat.blockedChannelWindow((2 + i) * hidden, hidden)!)
        }
        return cv2(cat)
    }
}

/// CSP bottleneck with two convolutions and a sequential bottleneck chain (used in the P6 head).
public final class C2: Module, GraphLayer {
    public let cv1: ConvBlock
    public let cv2: ConvBlock
    public let m: ModuleList
    let hidden: Int

    public init(_ c1: Int, _ c2: Int, n: Int = 1, shortcut: Bool = true, g: Int = 1, e: Double = 0.5) {
        let c = Int(Double(c2) * e)
        hidden = c
        cv1 = ConvBlock(c1, 2 * c, k: 1, s: 1)
        cv2 = ConvBlock(2 * c, c2, k: 1)
        m = ModuleList((0..<n).map { _ in Bottleneck(c, c, shortcut: shortcut, g: g, k: (3, 3), e: 1) })
        super.init()
    }

    public override var namedChildren: [(String, Module)] { [("cv1", cv1), ("cv2", cv2), ("m", m)] }

    public func forward(_ inputs: [Tensor]) -> Tensor {
        let y = cv1(inputs[0])
        var a = y.sliceChannels(0, hidden)
        let b = y.sliceChannels(hidden, hidden)
        for case let block as Bottleneck in m.items { a = block(a) }
        return cv2(Tensor.concatChannels([a, b]))
    }
}
