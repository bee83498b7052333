/// Maps letterboxed-input coordinates back to the original image as the reference does: per-axis gains
/// from the rounded resized size, pads round(d/2 − 0.1), then clipping to [0, w] × [0, h].
public struct LetterboxMapping: Sendable {
    public let gainX: Float, gainY: Float, padX: Float, padY: Float
    public let width: Float, height: Float

    /// `input` is the letterboxed (H, W); `original` the source (h, w).
    public init(input: (height: Int, width: Int), original: (height: Int, width: Int)) {
        let g = min(Double(input.height) / Double(original.height), Double(input.width) / Double(original.width))
        let wn = max(Int((Double(original.width) * g).rounded(.toNearestOrEven)), 1)
        let hn = max(Int((Double(original.height) * g).rounded(.toNearestOrEven)), 1)
        gainX = Float(wn) / Float(original.width)
        gainY = Float(hn) / Float(original.height)
        padX = Float((Double(input.width - wn) / 2 - 0.1).rounded(.toNearestOrEven))
        padY = Float((Double(input.height - hn) / 2 - 0.1).rounded(.toNearestOrEven))
        width = Float(original.width)
        height = Float(original.height)
    }

    public func x(_ v: Float) -> Float { min(max((v - padX) / gainX, 0), width) }
    public func y(_ v: Float) -> Float { min(max((v - padY) / gainY, 0), height) }
    public func box(_ b: SIMD4<Float>) -> SIMD4<Float> { SIMD4(x(b[0]), y(b[1]), x(b[2]), y(b[3])) }
}
