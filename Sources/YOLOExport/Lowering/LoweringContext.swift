import YOLOModel
import YOLONN
import YOLOTensor

/// A layer type that knows how to express itself in the export graph.
public protocol GraphLowerable {
    /// Emits the layer's nodes reading `inputs` (tensor names) and returns its output tensor. The builder's scope
    /// is the layer's module path (`model.3` → scope `/model.3`); `parameterPath` is the same path dotted, used
    /// to name weights (`model.3.conv.weight`).
    func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String
}

/// What a lowering needs: the builder, the options, and helpers shared by every layer.
public struct LoweringContext {
    public let builder: GraphBuilder
    public let options: LoweringOptions

    public init(builder: GraphBuilder, options: LoweringOptions) {
        self.builder = builder
        self.options = options
    }

    /// The input's batch dimension in shape vectors: the static batch, or 0 ("copy the input's dim") when dynamic.
    var batchShapeValue: Int64 { options.dynamic ? 0 : Int64(options.batch) }

    /// A `Conv` node for `conv` in the current scope (`<scope>/Conv`), with weights named `<parameterPath>.weight`
    /// and `.bias`. `fold` is a BatchNorm's inference affine map, folded into the weights as `fuse()` does.
    func conv2d(_ conv: Conv2d, _ x: String, parameterPath: String,
                fold: (scale: [Float], shift: [Float])? = nil) -> String {
        var weight = conv.weight.toArray()
        var bias = conv.bias?.toArray()
        if let fold {
            let oc = conv.outChannels, per = weight.count / oc
            for o in 0..<oc {
                for i in 0..<per { weight[o * per + i] *= fold.scale[o] }
            }
            // A BN-carrying conv has no bias of its own (Ultralytics' Conv), so the shift is the bias.
            let b = bias ?? [Float](repeating: 0, count: oc)
            bias = (0..<oc).map { b[$0] == 0 ? fold.shift[$0] : b[$0] * fold.scale[$0] + fold.shift[$0] }
        }
        let w = builder.addConstant(GraphConstant(name: parameterPath + ".weight", shape: conv.weight.shape, floats: weight))
        var inputs = [x, w]
        if let bias {
            inputs.append(builder.addConstant(GraphConstant(name: parameterPath + ".bias", shape: [bias.count], floats: bias)))
        }
        let k = conv.kernelSize, p = conv.padding
        return builder.node(GraphOp.conv, inputs, [
            "dilations": .ints([conv.dilation, conv.dilation]), "group": .int(conv.groups),
            "kernel_shape": .ints([k, k]), "pads": .ints([p, p, p, p]), "strides": .ints([conv.stride, conv.stride]),
        ])
    }

    /// SiLU `x·sigmoid(x)` in the current scope: Sigmoid + Mul, or one extension node with `fusedSiLU`.
    func silu(_ x: String) -> String {
        if options.fusedSiLU { return builder.node(GraphOp.silu, [x], domain: GraphOp.extensionDomain) }
        let s = builder.node(GraphOp.sigmoid, [x])
        return builder.node(GraphOp.mul, [x, s])
    }

    /// `Slice` of `x` along `axis` from `start` to `end`.
    func slice(_ x: String, axis: Int, _ start: Int, _ end: Int) -> String {
        builder.node(GraphOp.slice, [x, builder.constant(ints: [start]), builder.constant(ints: [end]),
                                     builder.constant(ints: [axis])])
    }

    /// `Reshape` of `x` to `shape` (0 copies the input dim, −1 is inferred).
    func reshape(_ x: String, _ shape: [Int64]) -> String {
        builder.node(GraphOp.reshape, [x, builder.constant(int64s: shape)], ["allowzero": .int(0)])
    }

    /// `Concat` along `axis`.
    func concat(_ xs: [String], axis: Int) -> String {
        builder.node(GraphOp.concat, xs, ["axis": .int(axis)])
    }

    /// `Unsqueeze` with constant axes.
    func unsqueeze(_ x: String, _ axes: [Int]) -> String {
        builder.node(GraphOp.unsqueeze, [x, builder.constant(ints: axes)])
    }

    /// `Gather` of one index along `axis` (drops the axis).
    func gather(_ x: String, index: Int, axis: Int = 0) -> String {
        builder.node(GraphOp.gather, [x, builder.constant(int64s: [Int64(index)], shape: [])], ["axis": .int(axis)])
    }
}
