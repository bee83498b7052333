import YOLONN
import YOLOTensor

/// Two convolutions with an optional residual: `x + cv2(cv1(x))` when `shortcut` and c1 == c2.
public final class Bottleneck: Module, GraphLayer {
    public let cv1: ConvBlock
    public let cv2: ConvBlock
    public let add: Bool

    public init(_ c1: Int, _ c2: Int, shortcut: Bool = true, g: Int = 1, k: (Int, Int) = (3, 3), e: Double = 0.5) {
        let hidden = Int(Double(c2) * e)
        cv1 = ConvBlock(c1, hidden, k: k.0, s: 1)
        cv2 = ConvBlock(hidden, c2, k: k.1, s: 1, g: g)
        add = shortcut && c1 == c2
        super.init()
    }

    public override var namedChildren: [(String, Module)] { [("cv1", cv1), ("cv2", cv2)] }

    /// Forward, written into `destination` when one is given (see `Tensor.conv2d(into:)`).
    public func callAsFunction(_ x: Tensor, into destination: Tensor? = nil) -> Tensor {
        cv2(cv1(x), residual: add ? x : nil, into: destination)
    }

    public func forward(_ inputs: [Tensor]) -> Tensor { self(inputs[0]) }
}
