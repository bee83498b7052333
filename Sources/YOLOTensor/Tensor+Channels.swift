import CKernels

extension Tensor {
    /// Concatenates NHWC (or any rank) tensors along the last axis.
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concat: no inputs")
        let lead = Array(parts[0].shape.dropLast())
        for p in parts {
            precondition(Array(p.shape.dropLast()) == lead, "concat: shapes \(parts.map(\.shape)) differ before the channel axis")
        }
        let widths = parts.map { $0.shape.last! }
        let total = widths.reduce(0, +)
        if let y = concatBlocked(parts, widths: widths, total: total) { return y }
        if let y = concatBF16(parts, widths: widths, total: total) { return y }
        let rows = lead.reduce(1, *)
        let y = Tensor(uninitializedShape: lead + [total])
        var off = 0
        for (p, c) in zip(parts, widths) {
            yk_copy_channels(p.pointer, Int64(c), y.pointer, Int64(total), Int64(off), Int64(rows))
            off += c
        }
        return y.recording("concat", parts) { g in
            var o = 0
            return widths.map { c in
                defer { o += c }
                return g.sliceChannels(o, c)
            }
        }
    }

    /// Channels `[start, start + width)` of the last axis, as a dense tensor.
    public func sliceChannels(_ start: Int, _ width: Int) -> Tensor {
        let c = shape.last ?? 0
        precondition(start >= 0 && width >= 0 && start + width <= c, "slice: [\(start), \(start + width)) of \(shape)")
        if let y = sliceBlocked(start, width) { return y }
        if let y = sliceBF16(start, width) { return y }
        let lead = Array(shape.dropLast())
        let rows = lead.reduce(1, *)
        let y = Tensor(uninitializedShape: lead + [width])
        yk_slice_channels(pointer, Int64(c), Int64(start), y.pointer, Int64(width), Int64(rows))
        return y.recording("slice", [self]) { [shape] g in
            let dx = Tensor(shape: shape, repeating: 0)
            yk_copy_channels(g.pointer, Int64(width), dx.pointer, Int64(c), Int64(start), Int64(rows))
            return [dx]
        }
    }

    /// Splits the last axis into consecutive chunks of the given widths.
    public func splitChannels(_ widths: [Int]) -> [Tensor] {
        precondition(widths.reduce(0, +) == shape.last, "split: widths \(widths) for \(shape)")
        var off = 0
        return widths.map { w in
            defer { off += w }
            return sliceChannels(off, w)
        }
    }
}

extension Tensor {
    /// Concatenation in `nChw8c` when a part is blocked, no gradient is recorded and every part but the last fills
    /// whole blocks of 8 channels (block copies; the NHWC parts are converted). Nil otherwise.
    static func concatBlocked(_ parts: [Tensor], widths: [Int], total: Int) -> Tensor? {
        guard parts.contains(where: { $0.layout == .nChw8c }), !needsGrad(parts), parts[0].rank == 4,
              widths.dropLast().allSatisfy({ $0 % 8 == 0 }) else { return nil }
        let s = parts[0].shape
        let y = Tensor(blockedShape: [s[0], s[1], s[2], total])
        var first = 0
        for p in parts {
            let b = p.toBlocked()
            yk_copy_blocks(b.blockedPointer, Int64(b.channelBlocks), 0, y.blockedPointer, Int64(y.channelBlocks),
                           Int64(first), Int64(b.channelBlocks), Int64(s[0]), Int64(s[1] * s[2]))
            first += b.channelBlocks
        }
        return y
    }

    /// A channel slice of a blocked tensor as block copies (a window on the same memory at batch 1), when it starts on
    /// a block and fills whole blocks or reaches the last channel (whose padding is zero). Nil otherwise.
    func sliceBlocked(_ start: Int, _ width: Int) -> Tensor? {
        guard layout == .nChw8c, !Tensor.needsGrad([self]), start % 8 == 0,
              width % 8 == 0 || start + width == shape[3] else { return nil }
        if let window = blockedChannelWindow(start, width) { return window }  // batch 1: no copy
        let y = Tensor(blockedShape: [shape[0], shape[1], shape[2], width])
        yk_copy_blocks(blockedPointer, Int64(channelBlocks), Int64(start / 8), y.blockedPointer, Int64(y.channelBlocks),
                       0, Int64(y.channelBlocks), Int64(shape[0]), Int64(shape[1] * shape[2]))
        return y
    }
}

extension Tensor {
    /// Concatenation in bf16 when a part is bf16, no gradient is recorded and every width is even (each row of C bf16
    /// values is then C / 2 floats to the copy kernel; fp32 parts are rounded to bf16). Nil otherwise.
    static func concatBF16(_ parts: [Tensor], widths: [Int], total: Int) -> Tensor? {
        guard parts.contains(where: { $0.layout == .bf16 }), !needsGrad(parts), widths.allSatisfy({ $0 % 2 == 0 })
        else { return nil }
        let lead = Array(parts[0].shape.dropLast())
        let rows = lead.reduce(1, *)
        let y = Tensor(bf16Shape: lead + [total])
        let out = UnsafeMutableRawPointer(y.bf16Pointer).assumingMemoryBound(to: Float.self)
        var off = 0
        for (p, c) in zip(parts, widths) {
            let b = p.toBF16()
            let src = UnsafeRawPointer(b.bf16Pointer).assumingMemoryBound(to: Float.self)
            yk_copy_channels(src, Int64(c / 2), out, Int64(total / 2), Int64(off / 2), Int64(rows))
            off += c
        }
        return y
    }

    /// A channel slice of a bf16 tensor at an even start and width (rows of floats, as in `concatBF16`). Nil otherwise.
    func sliceBF16(_ start: Int, _ width: Int) -> Tensor? {
        guard bf16PairsChannels, !Tensor.needsGrad([self]), start % 2 == 0, width % 2 == 0 else { return nil }
        let lead = Array(shape.dropLast())
        let y = Tensor(bf16Shape: lead + [width])
        let src = UnsafeRawPointer(bf16Pointer).assumingMemoryBound(to: Float.self)
        let dst = UnsafeMutableRawPointer(y.bf16Pointer).assumingMemoryBound(to: Float.self)
        yk_slice_channels(src, Int64(shape[shape.count - 1] / 2), Int64(start / 2), dst, Int64(width / 2),
                          Int64(lead.reduce(1, *)))
        return y
    }
}
