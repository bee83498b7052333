import CKernels

/// Which inference convolutions run on oneDNN's blocked `nChw8c` layout.
///
/// Without AVX-512, oneDNN 2.6 runs every convolution on `jit:avx2`, whose NHWC kernels reach about half the speed of
/// the same kernels on `nChw8c` for 3×3 convolutions with many input channels (64→64 at 80×80: 6.9–7.2 ms vs
/// 3.6–4.0 ms on a 2-core Zen 3, the two reorders 0.2 ms). With AVX-512 it picks `brgconv`, which is fast on NHWC;
/// but Zen 4 (AMD family 19h) runs AVX-512 on 256-bit units, where the blocked layout with Winograd (`ConvWinograd`)
/// took 0.74–0.77× brgconv's time for yolov8n/s-pose, so it counts as a CPU without AVX-512 here.
/// Two levels use it: a network's convolutions (`Tensor.conv2d(blockedOutput: true)`) leave `nChw8c` results that
/// the next ones take as they are (`blocksActivations`); any other inference convolution that gains from it runs on
/// blocked copies of its NHWC source and result.
public enum ConvLayoutPolicy: Int32, Sendable {
    /// Every convolution on NHWC.
    case nhwc = 0
    /// On a CPU without AVX-512, or a Zen 4: blocked activations between a network's convolutions, and blocked copies
    /// for the other 3×3 inference convolutions that are faster so (≥ 64 input channels, or ≥ 32 and strided). NHWC
    /// with other AVX-512 CPUs.
    case automatic = 1
    /// What `automatic` does without AVX-512, on any CPU (to test the blocked paths where they are not the default).
    case blocked = 2

    /// The policy for primitives created from now on. Starts as `YOLO_CONV_LAYOUT` says (`nhwc`, `blocked`), else
    /// `automatic`.
    public static var current: ConvLayoutPolicy {
        get { ConvLayoutPolicy(rawValue: yk_conv_blocked_policy()) ?? .nhwc }
        set { yk_conv_set_blocked_policy(newValue.rawValue) }
    }

    /// Whether convolutions that may (`Tensor.conv2d(blockedOutput:)`) leave their inference results in `nChw8c`,
    /// so that chains of convolutions and the ops between them (concat, slice, max-pool, upsample) skip the
    /// reorders: `.blocked`, or `.automatic` without AVX-512 or on a Zen 4.
    public static var blocksActivations: Bool { yk_conv_blocked_enabled() != 0 }
}

extension ConvKernel {
    /// Whether this primitive computes on `nChw8c` copies of its NHWC tensors.
    public var isBlocked: Bool { yk_conv_is_blocked(handle) != 0 }
}
