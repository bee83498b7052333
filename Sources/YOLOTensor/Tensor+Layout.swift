import CKernels

/// The arrangement of a rank-4 activation's values in memory. The logical shape is NHWC either way.
public enum TensorLayout: Sendable {
    /// `[N, H, W, C]`, row-major.
    case nhwc
    /// oneDNN's `nChw8c`: `[N, ⌈C/8⌉, H, W, 8]`, the channels past C zero. Convolutions without AVX-512 run about twice as
    /// fast on it (`ConvLayoutPolicy`); only inference produces it, and `pointer` turns it back into NHWC.
    case nChw8c
    /// `[N, H, W, C]` in bfloat16 (the upper halves of the floats, rounded to nearest even), two values per float of
    /// the storage. Only bf16 inference produces it (`ConvCache.precision`); `pointer` turns it back into float32.
    case bf16
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

    /// Converts the values to float32 NHWC in place (a new buffer replaces the blocked or bf16 one).
    func materializeNHWC() {
        guard layout != .nhwc else { return }
        let nhwc = TensorStorage(count: shape.reduce(1, *))
        if layout == .bf16 {
            yk_bf16_to_f32(bf16Pointer, nhwc.pointer, Int64(nhwc.count))
        } else {
            yk_nchw8c_to_nhwc(storage.pointer, Int64(shape[0]), Int64(shape[1]), Int64(shape[2]), Int64(shape[3]),
                              nhwc.pointer)
        }
        replaceStorage(nhwc, layout: .nhwc)
    }
}

extension Tensor {
    /// A bf16 NHWC tensor of `shape`, uninitialized (zeros when `zeroed`).
    public convenience init(bf16Shape shape: [Int], zeroed: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(bf16Shape:): negative dimension in \(shape)")
        let floats = (shape.reduce(1, *) + 1) / 2
        self.init(shape: shape, storage: TensorStorage(count: floats), layout: .bf16)
        if zeroed { storage.pointer.initialize(repeating: 0, count: floats) }
    }

    /// The bf16 values; the tensor must be bf16.
    public var bf16Pointer: UnsafeMutablePointer<UInt16> {
        precondition(layout == .bf16, "bf16Pointer: tensor \(shape) is \(layout)")
        return UnsafeMutableRawPointer(storage.pointer).assumingMemoryBound(to: UInt16.self)
    }

    /// This tensor in bf16 NHWC (itself when it already is; no autograd). Values round to nearest even.
    public func toBF16() -> Tensor {
        if layout == .bf16 { return self }
        let y = Tensor(bf16Shape: shape)
        let n = shape.reduce(1, *)
        yk_f32_to_bf16(pointer, y.bf16Pointer, Int64(n))
        return y
    }

    /// An uninitialized tensor of the logical NHWC `shape` arranged as `layout` (zeros when `zeroed`).
    convenience init(uninitializedShape shape: [Int], layout: TensorLayout, zeroed: Bool = false) {
        switch layout {
        case .nhwc:
            self.init(uninitializedShape: shape)
            if zeroed { storage.pointer.initialize(repeating: 0, count: storage.count) }
        case .nChw8c: self.init(blockedShape: shape, zeroed: zeroed)
        case .bf16: self.init(bf16Shape: shape, zeroed: zeroed)
        }
    }

    /// This tensor arranged as `layout` (itself when it already is; no autograd; `.nhwc` converts in place as `pointer`).
    func converted(to layout: TensorLayout) -> Tensor {
        switch layout {
        case .nhwc:
            materializeNHWC()
            return self
        case .nChw8c: return toBlocked()
        case .bf16: return toBF16()
        }
    }

    /// The storage, which must be arranged as `layout` (`.nhwc` converts first, as `pointer` does).
    func rawPointer(_ layout: TensorLayout) -> UnsafeMutableRawPointer {
        if layout == .nhwc { return UnsafeMutableRawPointer(pointer) }
        precondition(self.layout == layout, "rawPointer: tensor \(shape) is \(self.layout), not \(layout)")
        return UnsafeMutableRawPointer(storage.pointer)
    }

    /// Whether a bf16 tensor's channel rows can be handled as rows of `C / 2` floats (C even): concat, slice and
    /// upsample then move the bf16 values with the float copy kernels.
    var bf16PairsChannels: Bool { layout == .bf16 && (shape.last ?? 0) % 2 == 0 }
}
