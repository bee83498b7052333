/// A dense row-major float32 tensor. Activations are NHWC (`[N, H, W, C]`); convolution weights keep
/// PyTorch's OIHW shape so state-dict tensors load unchanged.
///
/// Tensors are reference types, as in PyTorch: parameters are updated in place and their `version` grows,
/// which tells caches holding derived layouts (reordered conv weights) to refresh.
public final class Tensor: @unchecked Sendable {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// The underlying buffer (exactly `count` floats in NHWC; see `layout`).
    public private(set) var storage: TensorStorage
    /// How the values are arranged in `storage`. `shape` is always the logical NHWC shape.
    public private(set) var layout: TensorLayout = .nhwc
    /// Incremented by every in-place write.
    public private(set) var version: Int = 0
    /// Whether gradients flow to this tensor.
    public var requiresGrad: Bool
    /// Accumulated gradient after `backward()`.
    public var grad: Tensor?
    /// The operation that produced this tensor, when recorded for autograd.
    var gradNode: GradNode?

    /// Uninitialized tensor of the given shape.
    public init(uninitializedShape shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
        self.requiresGrad = requiresGrad
    }

    /// A tensor over `storage` arranged as `layout`.
    init(shape: [Int], storage: TensorStorage, layout: TensorLayout) {
        self.shape = shape
        self.storage = storage
        self.layout = layout
        requiresGrad = false
    }

    /// Tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float = 0, requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape, requiresGrad: requiresGrad)
        storage.pointer.initialize(repeating: value, count: count)
    }

    /// Tensor holding `values` (row-major).
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor(shape:values:): \(values.count) values for shape \(shape)")
        self.init(uninitializedShape: shape, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Number of elements (turns a blocked tensor into NHWC first, as `pointer` does).
    public var count: Int {
        if layout != .nhwc { materializeNHWC() }
        return storage.count
    }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Mutable base pointer to the NHWC values. Writing through it must be followed by `markModified()`. A tensor held
    /// in a blocked layout is converted to NHWC (once, in place) first, so code that knows only NHWC stays correct.
    public var pointer: UnsafeMutablePointer<Float> {
        if layout != .nhwc { materializeNHWC() }
        return storage.pointer
    }
    /// A buffer view of the elements.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// Copies the elements out.
    public func toArray() -> [Float] { Array(buffer) }

    /// Swaps the buffer (layout conversions only).
    func replaceStorage(_ new: TensorStorage, layout: TensorLayout) {
        storage = new
        self.layout = layout
    }

    /// Records an in-place change of the values.
    public func markModified() { version &+= 1 }

    /// Overwrites the values with `values`, which must have `count` elements.
    public func assign(_ values: UnsafeBufferPointer<Float>) {
        precondition(values.count == count, "Tensor.assign: \(values.count) values into shape \(shape)")
        pointer.update(from: values.baseAddress!, count: count)
        markModified()
    }

    /// Overwrites the values with another tensor's (same element count).
    public func assign(_ other: Tensor) {
        assign(UnsafeBufferPointer(other.buffer))
    }

    /// A tensor with the same values and a new shape of equal element count (a copy; no autograd).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape: \(shape) -> \(newShape)")
        let t = Tensor(uninitializedShape: newShape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// A detached copy of the values.
    public func copy() -> Tensor { reshaped(shape) }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}
