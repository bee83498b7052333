import Foundation
import YOLOFormats
import YOLOModel
import YOLONN
import YOLOTensor

/// Generates the TorchScript classes and module instances for a `YOLONetwork`, layer by layer, mirroring the
/// Ultralytics module tree so parameter names read as in the reference (`model.2.m.0.cv1.conv.weight`).
///
/// Convolutions are emitted fused: a Conv+BN pair becomes one `Conv2d` with the BatchNorm folded into its weight
/// and bias (computed here; the network itself is not modified). Tensor constants used by the code (anchor grids,
/// strides) go to the archive's constant table and are referenced as `CONSTANTS.c<i>`.
final class TorchScriptEmitter {
    let classes = TorchScriptClassTable()
    /// The constant table (`constants.pkl`), in index order.
    private(set) var constants: [StoredTensor] = []

    /// Adds a tensor constant; returns the expression that names it in generated code.
    func constant(_ tensor: StoredTensor) -> String {
        constants.append(tensor)
        return "CONSTANTS.c\(constants.count - 1)"
    }

    /// Defines the class for an instance with these parameters and submodules, and returns the instance.
    func object(module: String, name: String, parameters: [(name: String, tensor: StoredTensor)] = [],
                submodules: [(name: String, object: TorchScriptObject)] = [], methods: [TorchScriptMethod] = []) -> TorchScriptObject {
        let spec = TorchScriptClassSpec(
            module: module, name: name, parameters: parameters.map(\.name),
            submodules: submodules.map { .init(name: $0.name, type: $0.object.type) }, methods: methods.map(\.source))
        return TorchScriptObject(type: classes.define(spec), parameters: parameters, submodules: submodules)
    }

    // MARK: - torch.nn

    /// `torch.nn.Conv2d` computing `torch.conv2d` with its geometry baked into the code.
    func conv2d(_ conv: Conv2d, folding bn: BatchNorm2d? = nil) -> TorchScriptObject {
        let (weight, bias) = Self.fusedWeights(conv, bn)
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("weight = self.weight")
        if bias != nil { f.line("bias = self.bias") }
        let s = conv.stride, p = conv.padding, d = conv.dilation
        f.line("return torch.conv2d(x, weight, \(bias == nil ? "None" : "bias"), [\(s), \(s)], [\(p), \(p)], [\(d), \(d)], \(conv.groups))")
        var params: [(name: String, tensor: StoredTensor)] = [("weight", weight)]
        if let bias { params.append(("bias", bias)) }
        return object(module: "torch.nn.modules.conv", name: "Conv2d", parameters: params, methods: [f])
    }

    /// A container without code of its own (`nn.ModuleList`, or an `nn.Sequential` whose owner calls its items).
    func container(_ name: String, _ items: [TorchScriptObject]) -> TorchScriptObject {
        object(module: "torch.nn.modules.container", name: name,
               submodules: items.enumerated().map { (String($0.offset), $0.element) })
    }

    /// `nn.Sequential` with a `forward` that chains its items.
    func sequential(_ items: [TorchScriptObject]) -> TorchScriptObject {
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        let locals = f.bindSubmodules(items.indices.map(String.init))
        var value = "x"
        for (i, local) in locals.enumerated() {
            f.line("x\(i) = (\(local)).forward(\(value), )")
            value = "x\(i)"
        }
        f.line("return \(value)")
        return object(module: "torch.nn.modules.container", name: "Sequential",
                      submodules: items.enumerated().map { (String($0.offset), $0.element) }, methods: [f])
    }

    // MARK: - Ultralytics blocks

    /// `Conv`: the fused convolution followed by SiLU (when the block has its activation).
    func convBlock(_ block: ConvBlock) -> TorchScriptObject {
        let conv = conv2d(block.conv, folding: block.bn)
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("conv = self.conv")
        f.line(block.act ? "return torch.silu((conv).forward(x, ))" : "return (conv).forward(x, )")
        return object(module: "ultralytics.nn.modules.conv", name: "Conv", submodules: [("conv", conv)], methods: [f])
    }

    /// `Bottleneck`: two convolutions, plus the input when it has a shortcut.
    func bottleneck(_ b: Bottleneck) -> TorchScriptObject {
        let cv1 = convBlock(b.cv1), cv2 = convBlock(b.cv2)
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("cv1 = self.cv1")
        f.line("cv2 = self.cv2")
        f.line("y = (cv2).forward((cv1).forward(x, ), )")
        f.line(b.add ? "return torch.add(x, y)" : "return y")
        return object(module: "ultralytics.nn.modules.block", name: "Bottleneck",
                      submodules: [("cv1", cv1), ("cv2", cv2)], methods: [f])
    }

    /// `C2f`: cv1, then each bottleneck on the previous half; every part concatenated into cv2.
    func c2f(_ block: C2f) -> TorchScriptObject {
        let hidden = block.cv1.conv.outChannels / 2
        let blocks = block.m.items.map { bottleneck($0 as! Bottleneck) }
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("cv1 = self.cv1")
        f.line("cv2 = self.cv2")
        f.line("m = self.m")
        f.line("y = (cv1).forward(x, )")
        f.line("y0 = torch.slice(y, 1, \(hidden), \(2 * hidden))")
        var parts = ["y"]
        for j in blocks.indices {
            f.line("m\(j) = getattr(m, \"\(j)\")")
            f.line("y\(j + 1) = (m\(j)).forward(y\(j), )")
            parts.append("y\(j + 1)")
        }
        f.line("return (cv2).forward(torch.cat([\(parts.joined(separator: ", "))], 1), )")
        return object(module: "ultralytics.nn.modules.block", name: "C2f",
                      submodules: [("cv1", convBlock(block.cv1)), ("cv2", convBlock(block.cv2)),
                                   ("m", container("ModuleList", blocks))], methods: [f])
    }

    /// `C2`: cv1 split in two halves, the bottleneck chain on the first, both concatenated into cv2.
    func c2(_ block: C2) -> TorchScriptObject {
        let hidden = block.cv1.conv.outChannels / 2
        let blocks = block.m.items.map { bottleneck($0 as! Bottleneck) }
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("cv1 = self.cv1")
        f.line("cv2 = self.cv2")
        f.line("m = self.m")
        f.line("y = (cv1).forward(x, )")
        f.line("a = torch.slice(y, 1, 0, \(hidden))")
        f.line("b = torch.slice(y, 1, \(hidden), \(2 * hidden))")
        for j in blocks.indices {
            f.line("m\(j) = getattr(m, \"\(j)\")")
            f.line("a = (m\(j)).forward(a, )")
        }
        f.line("return (cv2).forward(torch.cat([a, b], 1), )")
        return object(module: "ultralytics.nn.modules.block", name: "C2",
                      submodules: [("cv1", convBlock(block.cv1)), ("cv2", convBlock(block.cv2)),
                                   ("m", container("Sequential", blocks))], methods: [f])
    }

    /// `SPPF`: cv1, three chained k×k max-pools (stride 1, same padding), all four maps concatenated into cv2.
    func sppf(_ block: SPPF) -> TorchScriptObject {
        let k = block.k
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("cv1 = self.cv1")
        f.line("cv2 = self.cv2")
        f.line("y0 = (cv1).forward(x, )")
        for j in 1...3 {
            f.line("y\(j) = torch.max_pool2d(y\(j - 1), [\(k), \(k)], [1, 1], [\(k / 2), \(k / 2)], [1, 1], False)")
        }
        f.line("return (cv2).forward(torch.cat([y0, y1, y2, y3], 1), )")
        return object(module: "ultralytics.nn.modules.block", name: "SPPF",
                      submodules: [("cv1", convBlock(block.cv1)), ("cv2", convBlock(block.cv2))], methods: [f])
    }

    /// `nn.Upsample(scale_factor=s, mode="nearest")`.
    func upsample(_ layer: Upsample) -> TorchScriptObject {
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        let s = TorchScriptLiteral.float(Double(layer.scale))
        f.line("return torch.upsample_nearest2d(x, None, [\(s), \(s)])")
        return object(module: "torch.nn.modules.upsampling", name: "Upsample", methods: [f])
    }

    /// `Concat` of `count` inputs along channels.
    func concat(count: Int) -> TorchScriptObject {
        let names = (0..<count).map { "x\($0)" }
        var f = TorchScriptMethod(arguments: names.map { "\($0): Tensor" })
        f.line("return torch.cat([\(names.joined(separator: ", "))], 1)")
        return object(module: "ultralytics.nn.modules.conv", name: "Concat", methods: [f])
    }

    // MARK: - Weights

    /// The convolution's weight and bias with `bn` folded in as Ultralytics' fuse (torch's `fuse_conv_bn_weights`)
    /// computes them in float32: r = 1/√(σ² + ε), w·(γ·r) and (b − μ)·r·γ + β, with b = 0 without a conv bias.
    static func fusedWeights(_ conv: Conv2d, _ bn: BatchNorm2d?) -> (weight: StoredTensor, bias: StoredTensor?) {
        var w = conv.weight.toArray()
        var b = conv.bias?.toArray()
        if let bn {
            let oc = conv.outChannels, per = w.count / oc
            let gamma = bn.weight.toArray(), beta = bn.bias.toArray()
            let mean = bn.runningMean.toArray(), variance = bn.runningVar.toArray()
            var folded = [Float](repeating: 0, count: oc)
            for o in 0..<oc {
                let r = 1 / (variance[o] + bn.eps).squareRoot()
                let scale = gamma[o] * r
                for i in 0..<per { w[o * per + i] *= scale }
                folded[o] = ((b?[o] ?? 0) - mean[o]) * r * gamma[o] + beta[o]
            }
            b = folded
        }
        return (StoredTensor(shape: conv.weight.shape, floats: w), b.map { StoredTensor(shape: [$0.count], floats: $0) })
    }
}
