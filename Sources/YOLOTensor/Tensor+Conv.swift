import CKernels

extension Tensor {
    /// 2-D convolution of an NHWC input with OIHW `weight` on oneDNN, with optional bias and fused
    /// post-ops (SiLU, then a residual add of a tensor shaped like the output).
    ///
    /// When gradients are recorded the post-ops run as separate differentiable ops. With `blockedOutput`, an
    /// inference result may come back in the blocked `nChw8c` layout (when `ConvLayoutPolicy` blocks activations):
    /// for callers whose next ops handle it or read through `pointer`, which converts. With a `destination` (of the
    /// output's shape, e.g. a `blockedChannelWindow` of a concatenation) the result is written there and returned: in
    /// place when it is in the layout the convolution produces, else copied.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                              dilation: (Int, Int) = (1, 1), groups: Int = 1,
                              silu: Bool = false, residual: Tensor? = nil, blockedOutput: Bool = false,
                              into destination: Tensor? = nil, cache: ConvCache) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4,
                     "conv2d: input \(x.shape) must be NHWC and weight \(weight.shape) OIHW")
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oc = weight.shape[0]
        precondition(weight.shape[1] * groups == c && oc % groups == 0,
                     "conv2d: input \(x.shape) channels do not match weight \(weight.shape) with groups \(groups)")
        if let bias { precondition(bias.shape == [oc], "conv2d: bias \(bias.shape) for \(oc) output channels") }
        let g = ConvGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: oc,
                             kernelH: weight.shape[2], kernelW: weight.shape[3],
                             strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                             dilationH: dilation.0, dilationW: dilation.1, groups: groups)
        let recording = needsGrad([x, weight] + (bias.map { [$0] } ?? []))
        let outShape = [n, g.outHeight, g.outWidth, oc]
        if let destination {
            precondition(destination.shape == outShape, "conv2d: destination \(destination.shape) for output \(outShape)")
            if recording || (residual != nil && groups > 1) {
                return destination.overwrite(with: conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
                                                          dilation: dilation, groups: groups, silu: silu,
                                                          residual: residual, blockedOutput: blockedOutput, cache: cache))
            }
        }
        // oneDNN 2.6's AVX2 grouped convolution adds a binary post-op operand at wrong offsets (seen on Zen 3:
        // ConvTests "groups 2 + residual"), so grouped convolutions add their residual separately.
        if let residual, groups > 1 {
            return conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                          groups: groups, silu: silu, blockedOutput: blockedOutput, cache: cache).adding(residual)
        }
        if recording && (silu || residual != nil) {
            var y = conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                           groups: groups, cache: cache)
            if silu { y = y.silu() }
            if let residual { y = y.adding(residual) }
            return y
        }
        if let residual { precondition(residual.shape == outShape, "conv2d: residual \(residual.shape) for output \(outShape)") }
        let post = ConvPostOps(silu: silu, residualAdd: residual != nil)
        // bf16 where the layer asks for it and the CPU has it (inference only); its result stays bf16 for callers that
        // take other layouts than float32 NHWC.
        let bf16 = runsBF16(recording: recording, cache: cache)
        let bf16Output = bf16 && blockedOutput
        let blocked = blockedOutput && blocksResult(x, groups: groups, recording: recording, bf16: bf16)
        let key = ConvCache.Key(geometry: g, bias: bias != nil, post: post, training: recording, blockedOutput: blocked,
                                bf16: bf16, bf16Output: bf16Output)
        if cache.isPlanning {
            cache.record(key)
            return destination ?? Tensor(uninitializedShape: outShape, layout: blocked ? .nChw8c : bf16Output ? .bf16 : .nhwc,
                          zeroed: true)
        }
        let kernel = cache.kernel(key)
        cache.prepare(kernel, weight: weight)
        let out = kernel.resultLayout
        // The destination (a window of a concatenation, say) when it is in the result's layout; else a new tensor,
        // copied into the destination below.
        let y = destination.flatMap { $0.layout == out ? $0 : nil } ?? Tensor(uninitializedShape: outShape, layout: out)
        // The residual first: reading it as NHWC may convert it in place, and it may be x itself.
        let res = residual.map { $0.converted(to: out) }
        let layout = kernel.sourceLayout(for: x.layout)
        withExtendedLifetime(res) {
            kernel.forward(src: x.rawPointer(layout), layout: layout, bias: bias.map { UnsafePointer($0.pointer) },
                           residual: res.map { UnsafeRawPointer($0.rawPointer(out)) }, dst: y.rawPointer(out))
        }
        if let destination {
            if destination !== y { return destination.overwrite(with: y) }
            destination.markModified()
        }
        return y.recording("conv2d", [x, weight] + (bias.map { [$0] } ?? [])) { gy in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = Tensor(uninitializedShape: weight.shape)
            let db = bias.map { Tensor(uninitializedShape: $0.shape) }
            kernel.prepare(weight: weight)
            kernel.backward(src: x.pointer, diffDst: gy.pointer, diffSrc: dx?.pointer,
                            diffWeights: dw.pointer, diffBias: db?.pointer)
            return [dx, dw] + (db.map { [$0] } ?? [])
        }
    }

    /// Whether `conv2d(x, weight:, groups:, blockedOutput: true, cache:)` gives an `nChw8c` result.
    public static func conv2dGivesBlocked(_ x: Tensor, weight: Tensor, groups: Int = 1, cache: ConvCache) -> Bool {
        let recording = needsGrad([x, weight])
        return blocksResult(x, groups: groups, recording: recording, bf16: runsBF16(recording: recording, cache: cache))
    }

    private static func runsBF16(recording: Bool, cache: ConvCache) -> Bool {
        cache.precision == .bfloat16 && !recording && ConvPrecision.isBF16Supported
    }

    /// Blocked results only where every convolution would run blocked anyway: a few input channels (the image) stay
    /// NHWC, as do grouped convolutions, training and bf16 (also a float32 layer on a bf16 source: the head's outputs in
    /// bf16 inference).
    private static func blocksResult(_ x: Tensor, groups: Int, recording: Bool, bf16: Bool) -> Bool {
        !bf16 && x.layout != .bf16 && !recording && groups == 1 && x.shape[3] >= 8 && ConvLayoutPolicy.blocksActivations
    }
}
