import YOLOModel
import YOLONN

/// `Conv` (conv → BN → SiLU) as the reference's fused ONNX shows it: `<scope>/conv/Conv` with the BatchNorm folded
/// into weight and bias (`model.i.conv.weight`, `model.i.conv.bias`) exactly as `fuse()` folds it (torch's rounding,
/// `BatchNorm2d.fusionAffine`), then `<scope>/act/Sigmoid` and `<scope>/act/Mul`. A fused block is written as it is.
extension ConvBlock: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        let fold = bn.map { $0.fusionAffine() }
        let y = b.withScope("conv") {
            context.conv2d(conv, inputs[0], parameterPath: parameterPath + ".conv", fold: fold)
        }
        guard act else { return y }
        return b.withScope("act") { context.silu(y) }
    }
}

/// `x + cv2(cv1(x))` (or without the residual): `<scope>/cv1/…`, `<scope>/cv2/…`, `<scope>/Add`.
extension Bottleneck: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        let x = inputs[0]
        let h = try b.withScope("cv1") { try cv1.lower([x], in: context, parameterPath: parameterPath + ".cv1") }
        let y = try b.withScope("cv2") { try cv2.lower([h], in: context, parameterPath: parameterPath + ".cv2") }
        return add ? b.node(GraphOp.add, [x, y]) : y
    }
}
