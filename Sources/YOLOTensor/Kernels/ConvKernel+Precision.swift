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
}

extension ConvKernel {
    /// Whether this primitive computes in bf16.
    public var isBF16: Bool { yk_conv_is_bf16(handle) != 0 }
    /// Whether its result (and a residual) is bf16 NHWC.
    public var leavesBF16: Bool { yk_conv_dst_bf16(handle) != 0 }
}
