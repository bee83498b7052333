import CKernels

/// What the linked oneDNN reports: its version and the instruction set it dispatches to on this CPU.
public enum OneDNNInfo {
    /// "2.6.3".
    public static var version: String {
        var a: Int32 = 0, b: Int32 = 0, c: Int32 = 0
        yk_dnnl_version(&a, &b, &c)
        return "\(a).\(b).\(c)"
    }

    /// The effective ISA's name as oneDNN spells it (`avx2`, `avx512_core_bf16`, `avx512_core_amx`, …).
    public static var isa: String {
        switch yk_dnnl_effective_isa() {
        case 0x1: return "sse41"
        case 0x3: return "avx"
        case 0x7: return "avx2"
        case 0x407: return "avx2_vnni"
        case 0xf: return "avx512_mic"
        case 0x1f: return "avx512_mic_4ops"
        case 0x27: return "avx512_core"
        case 0x67: return "avx512_core_vnni"
        case 0xe7: return "avx512_core_bf16"
        case 0x3e7: return "avx512_core_amx"
        case let v: return String(format: "isa 0x%x", v)
        }
    }
}
