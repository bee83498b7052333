import CKernels
import Foundation
import YOLOTensor

/// Convolution, max pooling and nearest resize on channels-last activations (oneDNN for convolutions).
enum SpatialKernels {
    static func conv(_ ctx: KernelContext) throws -> [ONNXValue] {
        guard let plan = ctx.conv else { throw kernelError("convolution weights were not prepared") }
        return [try conv(try ctx.input(0), plan, silu: false, residual: nil)]
    }

    /// Conv + bias, optionally followed by SiLU and then a residual add (the post-ops fused into one oneDNN
    /// primitive when the residual is a same-shaped image tensor).
    static func conv(_ x: ONNXValue, _ p: ConvPlan, silu: Bool, residual: ONNXValue?) throws -> ONNXValue {
        guard x.rank == 4, x.elementType == .float else { throw kernelError("Conv input \(x.shape) must be a 4-D float tensor") }
        guard x.shape[1] == p.weight.shape[1] * p.groups else {
            throw kernelError("input \(x.shape) has \(x.shape[1]) channels, the weights expect \(p.weight.shape[1] * p.groups)")
        }
        if !silu, residual == nil, let y = try pointwisePlain(x, p) { return y }
        let src = try x.nhwc()
        let oh = (x.shape[2] + 2 * p.padding.0 - p.dilation.0 * (p.kernel.0 - 1) - 1) / p.stride.0 + 1
        let ow = (x.shape[3] + 2 * p.padding.1 - p.dilation.1 * (p.kernel.1 - 1) - 1) / p.stride.1 + 1
        guard oh > 0, ow > 0 else { throw kernelError("input \(x.shape) is smaller than the kernel") }
        let outShape = [x.shape[0], p.outChannels, oh, ow]
        var fused: Tensor?
        if let r = residual, r.elementType == .float, r.shape == outShape { fused = try r.nhwc() }
        let y = Tensor.conv2d(src, weight: p.weight, bias: p.bias, stride: p.stride, padding: p.padding,
                              dilation: p.dilation, groups: p.groups, silu: silu, residual: fused, cache: p.cache)
        let out = ONNXValue(nhwc: y)
        if let r = residual, fused == nil { return try ElementwiseKernels.binary("Add", out, r) }
        return out
    }

    /// A 1×1 convolution with a handful of output channels on a row-major input (the DFL expectation over the
    /// softmaxed bins): computed in place of two layout transposes.
    private static func pointwisePlain(_ x: ONNXValue, _ p: ConvPlan) throws -> ONNXValue? {
        guard !x.isNHWC, p.kernel == (1, 1), p.stride == (1, 1), p.padding == (0, 0), p.groups == 1,
              p.outChannels <= 4 else { return nil }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let hw = h * w
        let src = try x.plain().pointer, wt = p.weight.pointer
        let out = Tensor(uninitializedShape: [n * p.outChannels * hw])
        for b in 0..<n {
            for o in 0..<p.outChannels {
                let dst = out.pointer + (b * p.outChannels + o) * hw
                dst.initialize(repeating: p.bias?.pointer[o] ?? 0, count: hw)
                for k in 0..<c {
                    let wk = wt[o * c + k], s = src + (b * c + k) * hw
                    for i in 0..<hw { dst[i] += wk * s[i] }
                }
            }
        }
        return ONNXValue(shape: [n, p.outChannels, h, w], plain: out)
    }

    /// MaxPool with a square kernel, equal strides and symmetric padding (checked at load).
    static func maxPool(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard x.rank == 4 else { throw kernelError("MaxPool input \(x.shape) must be 4-D") }
        let k = ctx.node.ints("kernel_shape")?.first ?? 1
        let s = ctx.node.ints("strides")?.first ?? 1
        let pad = ctx.node.ints("pads")?.first ?? 0
        return [ONNXValue(nhwc: try x.nhwc().maxPool2d(kernel: k, stride: s, padding: pad))]
    }

    /// Resize, mode nearest with `asymmetric` coordinates and `floor` rounding (Ultralytics' upsample); integer scales
    /// use the upsample kernel, other sizes a general nearest gather.
    static func resize(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard x.rank == 4 else { throw kernelError("Resize input \(x.shape) must be 4-D") }
        // Opset 10: (X, scales); opset 11+: (X, roi, scales, sizes).
        let scalesInput = ctx.opset < 11 ? ctx.optional(1) : ctx.optional(2)
        var outH = x.shape[2], outW = x.shape[3]
        var scaleH = 1.0, scaleW = 1.0
        if let sizes = ctx.opset >= 11 ? ctx.optional(3) : nil, sizes.count == 4 {
            let v = try sizes.ints()
            guard v[0] == x.shape[0], v[1] == x.shape[1] else { throw kernelError("Resize changes batch or channels: \(v)") }
            (outH, outW) = (v[2], v[3])
            scaleH = Double(outH) / Double(x.shape[2])
            scaleW = Double(outW) / Double(x.shape[3])
        } else if let scales = scalesInput, scales.count == 4 {
            let v = try scales.floatArray()
            guard v[0] == 1, v[1] == 1 else { throw kernelError("Resize scales batch or channels: \(v)") }
            (scaleH, scaleW) = (Double(v[2]), Double(v[3]))
            outH = Int((Double(x.shape[2]) * scaleH).rounded(.down))
            outW = Int((Double(x.shape[3]) * scaleW).rounded(.down))
        } else {
            throw kernelError("Resize needs 4 scales or 4 sizes")
        }
        let src = try x.nhwc()
        if scaleH == scaleW, scaleH >= 1, scaleH.rounded() == scaleH,
           outH == x.shape[2] * Int(scaleH), outW == x.shape[3] * Int(scaleW) {
            return [ONNXValue(nhwc: src.upsampleNearest(Int(scaleH)))]
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor(uninitializedShape: [n, outH, outW, c])
        let ys = (0..<outH).map { min(Int((Double($0) / scaleH).rounded(.down)), h - 1) }
        let xs = (0..<outW).map { min(Int((Double($0) / scaleW).rounded(.down)), w - 1) }
        for b in 0..<n {
            for (oy, iy) in ys.enumerated() {
                for (ox, ix) in xs.enumerated() {
                    (out.pointer + ((b * outH + oy) * outW + ox) * c).update(from: src.pointer + ((b * h + iy) * w + ix) * c, count: c)
                }
            }
        }
        return [ONNXValue(nhwc: out)]
    }
}
