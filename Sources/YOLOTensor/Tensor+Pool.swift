import CKernels

extension Tensor {
    /// Max pooling over an NHWC tensor (padding counts as −∞, floor mode). With a `destination` (of the output's shape,
    /// e.g. a `blockedChannelWindow` of a concatenation) the result is written there and returned (no autograd).
    public func maxPool2d(kernel: Int, stride: Int, padding: Int, into destination: Tensor? = nil) -> Tensor {
        precondition(rank == 4, "maxPool2d: input \(shape) must be NHWC")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
        if let destination {
            precondition(destination.shape == [n, oh, ow, c], "maxPool2d: destination \(destination.shape) for output \([n, oh, ow, c])")
            guard layout == .nChw8c, destination.layout == .nChw8c, !Tensor.needsGrad([self]) else {
                return destination.overwrite(with: maxPool2d(kernel: kernel, stride: stride, padding: padding))
            }
        }
        if layout == .nChw8c && !Tensor.needsGrad([self]) {
            // Each block of 8 channels is an NHWC image of 8 channels.
            let y = destination ?? Tensor(blockedShape: [n, oh, ow, c])
            yk_maxpool(blockedPointer, y.blockedPointer, Int64(n * channelBlocks), Int64(h), Int64(w), 8, Int32(kernel),
                       Int32(stride), Int32(padding), Int64(oh), Int64(ow))
            destination?.markModified()
            return y
        }
        let y = Tensor(uninitializedShape: [n, oh, ow, c])
        yk_maxpool(pointer, y.pointer, Int64(n), Int64(h), Int64(w), Int64(c), Int32(kernel), Int32(stride),
                   Int32(padding), Int64(oh), Int64(ow))
        return y.recording("maxpool", [self]) { [self] g in
            // Route each output gradient to the first maximal input in its window.
            let dx = Tensor(shape: shape, repeating: 0)
            for b in 0..<n {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for ch in 0..<c {
                            let target = y.pointer[((b * oh + oy) * ow + ox) * c + ch]
                            var found = -1
                            search: for iy in max(0, oy * stride - padding)..<min(h, oy * stride - padding + kernel) {
                                for ix in max(0, ox * stride - padding)..<min(w, ox * stride - padding + kernel) {
                                    let idx = ((b * h + iy) * w + ix) * c + ch
                                    if pointer[idx] == target { found = idx; break search }
                                }
                            }
                            if found >= 0 { dx.pointer[found] += g.pointer[((b * oh + oy) * ow + ox) * c + ch] }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Nearest-neighbour upsampling of an NHWC tensor by an integer factor.
    public func upsampleNearest(_ factor: Int) -> Tensor {
        precondition(rank == 4 && factor >= 1, "upsample: input \(shape), factor \(factor)")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        if layout == .nChw8c && !Tensor.needsGrad([self]) {
            let y = Tensor(blockedShape: [n, h * factor, w * factor, c])
            yk_upsample_nearest(blockedPointer, y.blockedPointer, Int64(n * channelBlocks), Int64(h), Int64(w), 8,
                                Int32(factor))
            return y
        }
        if bf16PairsChannels && !Tensor.needsGrad([self]) {
            // bf16 pairs moved as floats: an NHWC image of C / 2 channels.
            let y = Tensor(bf16Shape: [n, h * factor, w * factor, c])
            yk_upsample_nearest(UnsafeRawPointer(bf16Pointer).assumingMemoryBound(to: Float.self),
                                UnsafeMutableRawPointer(y.bf16Pointer).assumingMemoryBound(to: Float.self),
                                Int64(n), Int64(h), Int64(w), Int64(c / 2), Int32(factor))
            return y
        }
        let y = Tensor(uninitializedShape: [n, h * factor, w * factor, c])
        yk_upsample_nearest(pointer, y.pointer, Int64(n), Int64(h), Int64(w), Int64(c), Int32(factor))
        return y.recording("upsample", [self]) { [shape] g in
            let dx = Tensor(shape: shape, repeating: 0)
            for b in 0..<n {
                for oy in 0..<(h * factor) {
                    for ox in 0..<(w * factor) {
                        let src = ((b * h + oy / factor) * w + ox / factor) * c
                        let dst = ((b * h * factor + oy) * w * factor + ox) * c
                        for ch in 0..<c { dx.pointer[src + ch] += g.pointer[dst + ch] }
                    }
                }
            }
            return [dx]
        }
    }

    /// NCHW → NHWC copy of a rank-4 tensor (input images arrive channel-first).
    public func nchwToNHWC() -> Tensor {
        precondition(rank == 4, "nchwToNHWC: input \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let y = Tensor(uninitializedShape: [n, h, w, c])
        yk_nchw_to_nhwc(pointer, y.pointer, Int64(n), Int64(c), Int64(h), Int64(w))
        return y
    }
}
