import CKernels

extension Tensor {
    /// Bilinear resize of an NHWC batch to `height`×`width`, as torch's
    /// `interpolate(mode="bilinear", align_corners=False)` (no antialiasing). Not differentiable: it prepares inputs.
    public func resizedBilinear(height: Int, width: Int) -> Tensor {
        precondition(rank == 4 && height > 0 && width > 0, "resizedBilinear: input \(shape) to \(height)×\(width)")
        precondition(!requiresGrad, "resizedBilinear: input \(shape) requires grad; the op is not differentiable")
        let y = Tensor(uninitializedShape: [shape[0], height, width, shape[3]])
        yk_resize_bilinear_nhwc(pointer, Int64(shape[0]), Int64(shape[1]), Int64(shape[2]), Int64(shape[3]), y.pointer,
                                Int64(height), Int64(width))
        return y
    }
}
