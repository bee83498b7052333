extension Tensor {
    /// Channels `[start, start + width)` of a blocked tensor of batch 1 as a tensor over the same memory (no copy), when
    /// they are whole blocks of 8 (or end at the last channel, whose padding is this tensor's): in `nChw8c` an image's
    /// channel blocks are consecutive planes, so a block range is one contiguous range of the buffer. Writing into the
    /// window writes this tensor; the window keeps the buffer alive. Inference only (no autograd); nil otherwise.
    ///
    /// This is how C2f's split costs nothing and its convolutions write their results straight into the concatenation
    /// the block's last convolution reads (`Tensor.conv2d(into:)`).
    public func blockedChannelWindow(_ start: Int, _ width: Int) -> Tensor? {
        guard layout == .nChw8c, rank == 4, shape[0] == 1, !Tensor.needsGrad([self]), start >= 0, width > 0,
              start % 8 == 0, start + width <= shape[3], width % 8 == 0 || start + width == shape[3] else { return nil }
        let plane = shape[1] * shape[2] * 8
        let window = TensorStorage(window: storage, offset: start / 8 * plane, count: (width + 7) / 8 * plane)
        return Tensor(shape: [1, shape[1], shape[2], width], storage: window, layout: .nChw8c)
    }
}

extension Tensor {
    /// Writes `source`'s values (same shape, any layout) into this tensor in its own layout; returns self (no
    /// autograd). The fallback of `conv2d(into:)` when the convolution's result comes in another layout.
    @discardableResult
    public func overwrite(with source: Tensor) -> Tensor {
        precondition(shape == source.shape, "overwrite: \(source.shape) into \(shape)")
        switch layout {
        case .nChw8c:
            let b = source.toBlocked()
            blockedPointer.update(from: b.blockedPointer, count: Tensor.blockedCount(shape))
        case .bf16:
            let b = source.toBF16()
            bf16Pointer.update(from: b.bf16Pointer, count: shape.reduce(1, *))
        case .nhwc:
            storage.pointer.update(from: source.pointer, count: storage.count)
        }
        markModified()
        return self
    }
}
