/* The convolution kernel choices (policies) and the CPU facts they rest on: the blocked layout, Winograd and the wide
   own kernels, native bf16 and which bf16 kernels run. Each is resolved once (CPUID exits to the hypervisor in a VM,
   and every convolution asks) and can be forced for tests and A/B runs; dnnl_conv.c applies them. */
#include "ckernels.h"
#include <oneapi/dnnl/dnnl.h>
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

/* Whether to run this convolution on nChw8c copies of its NHWC tensors. Measured on a 2-core Zen 3 (AVX2, no
   AVX-512), oneDNN 2.6 at 640x640 for yolov8n-pose: without AVX-512 every convolution is `jit:avx2`, whose NHWC
   kernels reach 20-36 GMAC/s on 3x3 convolutions with >= 64 input channels (and on strided ones from 32) where the
   same kernels on nChw8c reach 50-65: 64->64 at 80x80 takes 6.9-7.2 ms in NHWC, 3.6-4.0 blocked, and the two
   reorders cost 0.2. 1x1 and small-channel 3x3 convolutions gain nothing or less than the reorders cost, and
   residual (post_add) convolutions would need a third reorder. With AVX-512 oneDNN picks brgconv, which is fast on
   NHWC (except on Zen 4: is_amd_family_19h); training keeps NHWC for its backward primitives. YOLO_CONV_LAYOUT=nhwc
   turns this off and =blocked turns it on whatever the CPU (for A/B runs); yk_conv_set_blocked_policy overrides both. */
static int g_blocked_policy = -1;  /* -1 not yet resolved; else a yk_conv_blocked_policy value */

void yk_conv_set_blocked_policy(int policy) {
    __atomic_store_n(&g_blocked_policy, policy, __ATOMIC_RELAXED);
}

int yk_conv_blocked_policy(void) {
    int policy = __atomic_load_n(&g_blocked_policy, __ATOMIC_RELAXED);
    if (policy >= 0) return policy;
    const char *env = getenv("YOLO_CONV_LAYOUT");
    if (env && strcmp(env, "nhwc") == 0) policy = 0;
    else if (env && strcmp(env, "blocked") == 0) policy = 2;
    else policy = 1;
    __atomic_store_n(&g_blocked_policy, policy, __ATOMIC_RELAXED);
    return policy;
}

/* AMD family 19h (Zen 3, which has no AVX-512 anyway, and Zen 4): Zen 4's AVX-512 runs on 256-bit units, so oneDNN's
   avx512_core fp32 kernels are no faster than AVX2 code there, and the blocked layout with Winograd (AVX2) wins. Measured on a 2-core Zen 4
   (yolo-bench --layouts, 640, 30 interleaved runs): NHWC brgconv:avx512_core 56.1 ms (n) / 159.3 (s), blocked + Winograd
   43.3 / 118.4 (0.77 / 0.74). Intel's AVX-512 server cores have two 512-bit FMA units (and Zen 5 full-width ones):
   brgconv stays their default (not measured against this kernel). */
static int is_amd_family_19h(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    if (!(b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u)) return 0;  /* "AuthenticAMD" */
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned int family = (a >> 8) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    return family == 0x19;
}

/* Whether the automatic policy blocks on this CPU: no AVX-512, or AVX-512 on half-width units. Resolved once (CPUID
   exits to the hypervisor in a VM, and every convolution call asks). */
static int g_auto_blocks = -1;

int yk_conv_blocked_enabled(void) {
    int policy = yk_conv_blocked_policy();
    if (policy != 1) return policy == 2;
    int blocks = __atomic_load_n(&g_auto_blocks, __ATOMIC_RELAXED);
    if (blocks < 0) {
        int isa = (int)dnnl_get_effective_cpu_isa();
        blocks = (isa & dnnl_cpu_isa_avx512_core) != dnnl_cpu_isa_avx512_core || is_amd_family_19h();
        __atomic_store_n(&g_auto_blocks, blocks, __ATOMIC_RELAXED);
    }
    return blocks;
}

/* Whether blocked 3x3 stride-1 convolutions run as Winograd F(4,3) (winograd.c, try_winograd) rather than oneDNN's
   direct kernels: 0.4-0.6x their time per layer on the same Zen 3 (0.6-0.9x at 16 channels). YOLO_CONV_WINOGRAD=0
   turns it off (A/B runs, tests). */
static int g_wino_policy = -1;

void yk_conv_set_winograd(int on) { __atomic_store_n(&g_wino_policy, on ? 1 : 0, __ATOMIC_RELAXED); }

int yk_conv_winograd(void) {
    int policy = __atomic_load_n(&g_wino_policy, __ATOMIC_RELAXED);
    if (policy >= 0) return policy;
    const char *env = getenv("YOLO_CONV_WINOGRAD");
    policy = !(env && strcmp(env, "0") == 0);
    __atomic_store_n(&g_wino_policy, policy, __ATOMIC_RELAXED);
    return policy;
}

/* Measured on a 2-core Zen 4 (yolo-bench --layouts, yolov8n-pose, interleaved): at 64x64 input, whose maps have 1-4
   tiles, Winograd everywhere took 5.2 ms against 2.1 for the direct kernels, since each convolution streams its
   transformed weights (36 x ic x oc floats, ~32 MB for the network) whatever its tile count; a cost model (direct
   9 x HW MACs per channel pair against Winograd's 36 x tiles plus 144 bytes of weights) puts the break-even near 9
   tiles, a 10x10 map. Raising it to 26 or 101 tiles made n slower at 640 (0.72 -> 0.78 / 0.85 of NHWC) and at 320. */
static int g_wino_min_tiles = 9;

void yk_conv_set_winograd_min_tiles(int tiles) { __atomic_store_n(&g_wino_min_tiles, tiles, __ATOMIC_RELAXED); }

int yk_conv_winograd_min_tiles(void) { return __atomic_load_n(&g_wino_min_tiles, __ATOMIC_RELAXED); }

/* Whether the Winograd and 1x1 kernels multiply four output blocks at a time (24 accumulators, which need AVX-512VL's
   32 vector registers) instead of two: fewer loads per multiply-add. On a 2-core Zen 4: Winograd layers 3-7 % and 1x1
   layers 2-10 % faster, yolov8n-pose 34.6 -> 32.9 ms and yolov8s-pose 106 -> 100.6 ms at 640. On where the CPU has
   AVX-512VL unless set (tests run both). */
static int g_wide_policy = -1;

void yk_conv_set_wide_kernels(int on) { __atomic_store_n(&g_wide_policy, on ? 1 : 0, __ATOMIC_RELAXED); }

static int g_wide_supported = -1;  /* CPUID, resolved once: every Winograd and 1x1 forward asks */

int yk_conv_wide_kernels_supported(void) {
    int supported = __atomic_load_n(&g_wide_supported, __ATOMIC_RELAXED);
    if (supported < 0) {
        __builtin_cpu_init();
        supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
        __atomic_store_n(&g_wide_supported, supported, __ATOMIC_RELAXED);
    }
    return supported;
}

int yk_conv_wide_kernels(void) {
    int policy = __atomic_load_n(&g_wide_policy, __ATOMIC_RELAXED);
    return (policy < 0 || policy) && yk_conv_wide_kernels_supported();
}

/* Resolved once: every bf16 layer's call asks. */
static int g_bf16_supported = -1;

int yk_conv_bf16_supported(void) {
    int supported = __atomic_load_n(&g_bf16_supported, __ATOMIC_RELAXED);
    if (supported < 0) {
        int isa = (int)dnnl_get_effective_cpu_isa();
        supported = (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
        __atomic_store_n(&g_bf16_supported, supported, __ATOMIC_RELAXED);
    }
    return supported;
}

/* Whether bf16 convolutions with a spatial kernel (3x3, the strided ones included) take oneDNN's direct bf16 kernel
   (`jit_bf16:avx512_core_bf16`) over the default `brgconv`. Measured on a 2-core Zen 4 (AVX512_BF16, no AMX), every
   3x3 layer of yolov8n-pose at 640: creating a `jit_bf16` primitive takes ~0.3 ms against 0.6-7 ms for `brgconv` (11
   new primitives 5.9 against 18.8 ms of thread time per new shape), and it runs as fast (n's 3x3 layers 10.5 against
   10.8 ms per image, s's 36.3 against 36.1). A new letterbox shape's first image went from 1.95-2.09x a repeated one to
   1.62-1.76x, the process's first from 2.45-2.74x to 1.81-1.93x. With AMX `brgconv` is the kernel that uses the tiles,
   so it stays there; 1x1 layers keep `brgconv_1x1` (`jit_bf16_1x1` ran them 13 % slower). YOLO_BF16_DIRECT=0/1 (A/B
   runs) and yk_conv_set_bf16_direct override the automatic choice. */
static int g_bf16_direct_policy = -1;  /* -1 automatic; else forced off / on */
static int g_bf16_direct_auto = -1;    /* the automatic choice, resolved on first use */

/* A kernel choice that is forced (`*forced` 0/1), or set by the environment variable `env` ("0"/"1"), or else on where
   the CPU has no AMX (whose tiles only oneDNN's brgconv kernels use); the automatic answer is resolved once. */
static int unless_amx(const int *forced, int *automatic, const char *env) {
    int policy = __atomic_load_n(forced, __ATOMIC_RELAXED);
    if (policy >= 0) return policy;
    int answer = __atomic_load_n(automatic, __ATOMIC_RELAXED);
    if (answer < 0) {
        const char *value = getenv(env);
        int isa = (int)dnnl_get_effective_cpu_isa();
        int amx = (isa & dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx;
        answer = value && (strcmp(value, "0") == 0 || strcmp(value, "1") == 0) ? value[0] == '1' : !amx;
        __atomic_store_n(automatic, answer, __ATOMIC_RELAXED);
    }
    return answer;
}

void yk_conv_set_bf16_direct(int policy) {
    __atomic_store_n(&g_bf16_direct_policy, policy < 0 ? -1 : policy ? 1 : 0, __ATOMIC_RELAXED);
}

int yk_conv_bf16_direct(void) { return unless_amx(&g_bf16_direct_policy, &g_bf16_direct_auto, "YOLO_BF16_DIRECT"); }

/* Whether bf16 1x1 layers run our own kernel (conv1x1_bf16.c) rather than oneDNN's brgconv_1x1: automatically where
   the CPU has AVX512_BF16 but no AMX (whose tiles brgconv_1x1 uses); YOLO_BF16_1X1=0/1 and yk_conv_set_bf16_own_1x1
   override. Measured on a 2-core Zen 4: see conv1x1_bf16.c. */
static int g_c1b_policy = -1;
static int g_c1b_auto = -1;

void yk_conv_set_bf16_own_1x1(int policy) {
    __atomic_store_n(&g_c1b_policy, policy < 0 ? -1 : policy ? 1 : 0, __ATOMIC_RELAXED);
}

int yk_conv_bf16_own_1x1(void) { return unless_amx(&g_c1b_policy, &g_c1b_auto, "YOLO_BF16_1X1"); }
