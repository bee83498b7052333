import CKernels

/// Winograd F(4×4, 3×3) for the convolutions that run blocked (`ConvLayoutPolicy`): 3×3, stride 1, padding 1,
/// groups 1, inference.
///
/// Each 4×4 output tile takes 36 multiply-adds per channel pair instead of 144, at a few ulp more rounding (relative
/// differences ~1e-5 from a direct convolution). On a 2-core Zen 3 (AVX2) it runs yolov8n-pose's 3×3 stride-1
/// convolutions in 0.4–0.6× the time of oneDNN 2.6's blocked `jit:avx2` kernels (0.6–0.9× at 16 channels).
/// Where the blocked layout is off (AVX-512 CPUs by default, where oneDNN's `brgconv` runs NHWC) it is not used.
public enum ConvWinograd {
    /// Whether primitives created from now on may use it. Starts on unless `YOLO_CONV_WINOGRAD=0`.
    public static var isEnabled: Bool {
        get { yk_conv_winograd() != 0 }
        set { yk_conv_set_winograd(newValue ? 1 : 0) }
    }

    /// Whether the Winograd and 1×1 kernels multiply four output blocks at a time (24 accumulators in AVX-512VL's 32
    /// vector registers) rather than two: 3–10 % faster per layer on a Zen 4. On by default where the CPU has
    /// AVX-512VL; setting it on elsewhere has no effect. Applies from the next forward.
    public static var usesWideKernels: Bool {
        get { yk_conv_wide_kernels() != 0 }
        set { yk_conv_set_wide_kernels(newValue ? 1 : 0) }
    }

    /// Whether this CPU can run the four-block kernels (AVX-512VL).
    public static var wideKernelsSupported: Bool { yk_conv_wide_kernels_supported() != 0 }

    /// The fewest 4×4 output tiles (batch included) for which a convolution runs as Winograd (default 9, a 10×10 map):
    /// below it the transformed weights, 4× the size of the 3×3 ones, cost more to read than a direct convolution
    /// computes (yolov8n-pose at 64×64 on a Zen 4: 5.2 ms all Winograd vs 2.1 direct). Applies to primitives created
    /// from now on.
    public static var minimumTiles: Int {
        get { Int(yk_conv_winograd_min_tiles()) }
        set { yk_conv_set_winograd_min_tiles(Int32(clamping: newValue)) }
    }
}

extension ConvKernel {
    /// Whether this primitive is the Winograd convolution rather than a oneDNN one.
    public var isWinograd: Bool { yk_conv_is_winograd(handle) != 0 }
    /// Whether this primitive is the 1×1 kernel of the blocked chain (no oneDNN primitive, so nothing to create for a
    /// new input shape), which `ConvWinograd.isEnabled` switches with Winograd.
    public var isConv1x1: Bool { yk_conv_is_conv1x1(handle) != 0 }
}
