import CKernels

/// The arithmetic of a layer's inference convolutions (`ConvCache.precision`).
///
/// `.bfloat16` runs a convolution on bf16 sources and weights with float32 bias, accumulation and post-ops (SiLU,
/// residual add), and leaves a bf16 result where the caller takes one (`Tensor.conv2d(blockedOutput: true)`), so a
/// chain of convolutions and the copies between them (concat, split, upsample) stay bf16. It is used only where the CPU
/// computes bf16 natively (`isBF16Supported`: AVX512_BF16 or AMX, oneDNN's `avx512_core_bf16` kernels) and only for
/// inference; elsewhere, and for a geometry oneDNN has no native bf16 kernel for, the layer computes in float32.
public enum ConvPrecision: Sendable {
    case float32
    case bfloat16

    /// Whether this CPU has native bf16 convolutions (oneDNN dispatches to `avx512_core_bf16` or newer).
    public static var isBF16Supported: Bool { yk_conv_bf16_supported() != 0 }

    /// What runs bf16 here: "AMX" (`avx512_core_amx`), "AVX512_BF16", or "none".
    public static var bf16Hardware: String {
        OneDNNInfo.isa.hasPrefix("avx512_core_amx") ? "AMX" : isBF16Supported ? "AVX512_BF16" : "none"
    }

    /// Whether bf16 convolutions with a spatial kernel (3×3, strided too) take oneDNN's direct kernel
    /// (`jit_bf16:avx512_core_bf16`) rather than `brgconv`: as fast on AVX512_BF16 without AMX and 2–20× cheaper to
    /// create, so a new input shape generates much less code. Chosen by the CPU — on where it has no AMX (AMX runs in
    /// `brgconv`) — unless `YOLO_BF16_DIRECT=0/1` or `overrideDirectBF16Kernel` says otherwise. 1×1 layers never take it
    /// (see `prefersOwnBF16Conv1x1`).
    public static var prefersDirectBF16Kernel: Bool { yk_conv_bf16_direct() != 0 }

    /// Forces `prefersDirectBF16Kernel` on or off, or restores the automatic choice (`nil`), for primitives created
    /// from now on (tests, A/B runs).
    public static func overrideDirectBF16Kernel(_ choice: Bool?) {
        yk_conv_set_bf16_direct(choice.map { $0 ? 1 : 0 } ?? -1)
    }

    /// Whether bf16 1×1 layers (even input widths, output widths in multiples of 16, no residual) run our own
    /// AVX512_BF16 kernel rather than oneDNN's `brgconv_1x1`: as fast on a Zen 4 and it generates no code, so a new
    /// input shape creates nothing for them and warmup prepares their weights. Chosen by the CPU — on where it has
    /// no AMX — unless `YOLO_BF16_1X1=0/1` or `overrideOwnBF16Conv1x1` says otherwise.
    public static var prefersOwnBF16Conv1x1: Bool { yk_conv_bf16_own_1x1() != 0 }

    /// Forces `prefersOwnBF16Conv1x1` on or off, or restores the automatic choice (`nil`), for primitives created from
    /// now on (tests, A/B runs).
    public static func overrideOwnBF16Conv1x1(_ choice: Bool?) {
        yk_conv_set_bf16_own_1x1(choice.map { $0 ? 1 : 0 } ?? -1)
    }
}

extension ConvKernel {
    /// Whether this primitive computes in bf16.
    public var isBF16: Bool { yk_conv_is_bf16(handle) != 0 }
    /// Whether its result (and a residual) is bf16 NHWC.
    public var leavesBF16: Bool { yk_conv_dst_bf16(handle) != 0 }
    /// Whether this primitive is our own bf16 1×1 kernel (`ConvPrecision.prefersOwnBF16Conv1x1`), which generates no
    /// code.
    public var isConv1x1BF16: Bool { yk_conv_is_conv1x1_bf16(handle) != 0 }
}
