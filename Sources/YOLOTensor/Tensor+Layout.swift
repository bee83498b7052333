import CKernels

/// The arrangement of a rank-4 activation's values in memory. The logical shape is NHWC either way.
public enum TensorLayout: Sendable {
    /// `[N, H, W, C]`, row-major.
    case nhwc
    /// oneDNN's `nChw8c`: `[N, ⌈C/8⌉, H, W, 8]`, the channels past C zero. Convolutions without AVX-512 run about twice as
    /// fast on it (`ConvLayoutPolicy`); only inference produces it, and `pointer` turns it back into NHWC.
    case nChw8c
}

extension Tensor {
    /// A blocked (`nChw8c`) tensor of the logical NHWC `shape`, uninitialized (zeros when `zeroed`).
    public convenience init(blockedShape shape: [Int], zeroed: Bool = false) {
        precondition(shape.count == 4 && shape.allSatisfy { $0 >= 0 }, "Tensor(blockedShape:): \(shape) is not NHWC")
        let count = Tensor.blockedCount(shape)
        self.init(shape: shape, storage: TensorStorage(count: count), layout: .nChw8c)
        if zeroed { storage.pointer.initialize(repeating: 0, count: count) }
    }

    /// Floats a blocked tensor of this NHWC shape holds (channels rounded up to 8).
    static func blockedCount(_ shape: [Int]) -> Int { shape[0] * shape[1] * shape[2] * ((shape[3] + 7) / 8 * 8) }

    /// Channel blocks of 8 (the last one zero-padded).
    public var channelBlocks: Int { (shape[3] + 7) / 8 }

    /// The blocked values; the tensor must be blocked.
    public var blockedPointer: UnsafeMutablePointer<Float> {
        precondition(layout == .nChw8c, "blockedPointer: tensor \(shape) is \(layout)")
        return storage.pointer
    }

    /// This tensor in `nChw8c` (itself when it already is; no autograd).
    public func toBlocked() -> Tensor {
        if layout == .nChw8c { return self }
        precondition(rank == 4, "toBlocked: \(shape) is not NHWC")
        let y = Tensor(blockedShape: shape)
        yk_nhwc_to_nchw8c(pointer, Int64(shape[0]), Int64(shape[1]), Int64(shape[2]), Int64(shape[3]), y.blockedPointer)
        return y
    }

    /// Converts the values to NHWC in place (a new buffer replaces the blocked one).
    func materializeNHWC() {
        guard layout == .nChw8c else { return }
        let nhwc = TensorStorage(count: shape.reduce(1, *))
        yk_nchw8c_to_nhwc(storage.pointer, Int64(shape[0]), Int64(shape[1]), Int64(shape[2]), Int64(shape[3]),
                          nhwc.pointer)
        replaceStorage(nhwc, layout: .nhwc)
    }
}
