#ifndef CKERNELS_H
#define CKERNELS_H
/* Buffers in, buffers out. No tensors, no models: the kernels the Swift tensor core calls.
   Activations are NHWC float32; weights arrive as plain OIHW float32. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- oneDNN convolution ---- */
typedef struct yk_conv yk_conv;

/// Geometry and fused post-ops of one convolution primitive.
typedef struct {
    int n, ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups;
    int has_bias;
    int post_silu;   /* SiLU (swish alpha 1) after bias */
    int post_add;    /* then add a dense NHWC residual of the output shape */
    int training;    /* forward_training instead of forward_inference */
    int dst_blocked; /* inference: compute on nChw8c and leave the result (and take a residual) in nChw8c */
    int bf16;        /* inference: bf16 source and weights, fp32 bias and accumulation (NHWC; see yk_conv_bf16_supported) */
    int dst_bf16;    /* with bf16: the result (and a residual) in bf16 NHWC instead of fp32 */
} yk_conv_params;

/// Creates a forward primitive; returns NULL and writes a message to err on failure.
yk_conv *yk_conv_create(const yk_conv_params *p, char *err, int errlen);
void yk_conv_destroy(yk_conv *c);
int yk_conv_out_h(const yk_conv *c);
int yk_conv_out_w(const yk_conv *c);
const char *yk_conv_impl(const yk_conv *c);
/// Whether the primitive runs on nChw8c copies of its NHWC source and destination (see yk_conv_blocked_policy).
int yk_conv_is_blocked(const yk_conv *c);
/// Whether the result is left in nChw8c (dst_blocked was asked for and a blocked primitive exists).
int yk_conv_dst_blocked(const yk_conv *c);
/// Which inference convolutions run on nChw8c copies: 0 none, 1 the 3x3 ones that are faster so on a CPU without
/// AVX-512 (oneDNN's jit:avx2 kernels are 1.5-2x slower on NHWC there), 2 those same convolutions on any CPU (tests).
/// The default comes from YOLO_CONV_LAYOUT (nhwc: 0, blocked: 2), else 1. Applies to primitives created afterwards.
int yk_conv_blocked_policy(void);
void yk_conv_set_blocked_policy(int policy);
/// Whether the policy turns the blocked paths on for this CPU (2, or 1 without AVX-512).
int yk_conv_blocked_enabled(void);
/// Whether blocked 3x3 stride-1 inference convolutions (padding 1, groups 1) run as Winograd F(4x4, 3x3) on AVX2
/// instead of oneDNN's direct kernels (1, the default unless YOLO_CONV_WINOGRAD=0). Applies to primitives created
/// afterwards; such primitives report the implementation "winograd_4x3:avx2 (nChw8c)".
int yk_conv_winograd(void);
void yk_conv_set_winograd(int on);
/// Whether the Winograd and 1x1 kernels take four output blocks at a time (needs AVX-512VL; on by default where
/// supported). Setting it on has no effect on a CPU without AVX-512VL.
int yk_conv_wide_kernels(void);
void yk_conv_set_wide_kernels(int on);
int yk_conv_wide_kernels_supported(void);
/// The fewest 4x4 output tiles (batch included) a convolution needs to run as Winograd (default 9): with fewer, reading
/// its transformed weights (4x the 3x3 weights) costs more than a direct convolution computes. Applies to primitives
/// created afterwards.
int yk_conv_winograd_min_tiles(void);
void yk_conv_set_winograd_min_tiles(int tiles);
/// Whether this primitive is the Winograd convolution.
int yk_conv_is_winograd(const yk_conv *c);
/// Whether this primitive is the 1x1 kernel of the blocked chain (conv1x1.c; same switch as Winograd), implementation
/// "conv1x1:avx2 (nChw8c)".
int yk_conv_is_conv1x1(const yk_conv *c);
/// Reorders plain OIHW weights into the primitive's preferred layout (kept inside the primitive).
int yk_conv_set_weights(yk_conv *c, const float *oihw);
/// Copies another primitive's reordered weights when both use the same layouts; -1 (nothing copied) otherwise.
int yk_conv_copy_weights(yk_conv *dst, const yk_conv *src);
/// Creates n forward primitives on up to `threads` threads at once (0: the OpenMP thread count; the caller's OpenMP thread count is used on
/// every thread, since oneDNN sizes kernels by it); out[i] is NULL where creation failed.
void yk_conv_create_many(const yk_conv_params *ps, int n, yk_conv **out, int threads);
/// Whether yk_conv_create would give this convolution to one of our own kernels — Winograd, the float32 1x1 or the bf16
/// 1x1 — which generate no code.
int yk_conv_is_code_free(const yk_conv_params *p);
/// dst = post_ops(conv(src, reordered weights) + bias). residual may be NULL unless post_add.
int yk_conv_forward(yk_conv *c, const float *src, const float *bias, const float *residual, float *dst);
/// The same with the source in another layout: src_layout YK_SRC_NCHW8C only for a blocked primitive, YK_SRC_BF16
/// (bf16 NHWC) only for a bf16 one (-1 otherwise; an fp32 NHWC source is converted for a bf16 primitive). dst and the
/// residual are nChw8c when yk_conv_dst_blocked, bf16 NHWC when yk_conv_dst_bf16.
enum { YK_SRC_NHWC = 0, YK_SRC_NCHW8C = 1, YK_SRC_BF16 = 2 };
int yk_conv_forward_layout(yk_conv *c, const void *src, int src_layout, const float *bias, const void *residual,
                           void *dst);
/// Whether this CPU runs bf16 convolutions natively (oneDNN's ISA is avx512_core_bf16 or newer: AVX512_BF16 or AMX).
int yk_conv_bf16_supported(void);
/// Whether bf16 convolutions with a spatial kernel take oneDNN's direct `jit_bf16` kernel rather than `brgconv`
/// (automatic: where the CPU has no AMX; YOLO_BF16_DIRECT=0/1 overrides). yk_conv_set_bf16_direct(-1) restores the
/// automatic choice, 0/1 force it (tests, A/B runs); it applies to primitives created afterwards.
int yk_conv_bf16_direct(void);
void yk_conv_set_bf16_direct(int policy);
/// Whether bf16 1x1 layers (even input channels, output channels in blocks of 16, no residual) run our own AVX512_BF16
/// kernel rather than oneDNN's brgconv_1x1 (automatic: where the CPU has no AMX; YOLO_BF16_1X1=0/1 overrides);
/// yk_conv_set_bf16_own_1x1(-1) restores the automatic choice, 0/1 force it, for primitives created afterwards. Such
/// primitives report "conv1x1_bf16:avx512_bf16".
int yk_conv_bf16_own_1x1(void);
void yk_conv_set_bf16_own_1x1(int policy);
int yk_conv_is_conv1x1_bf16(const yk_conv *c);
/// Whether the primitive computes in bf16 / leaves a bf16 result.
int yk_conv_is_bf16(const yk_conv *c);
int yk_conv_dst_bf16(const yk_conv *c);

/* ---- bf16 activations (round to nearest even; NaN stays NaN) ---- */
void yk_f32_to_bf16(const float *src, uint16_t *dst, int64_t n);
void yk_bf16_to_f32(const uint16_t *src, float *dst, int64_t n);

/* ---- nChw8c activations ([N][ceil(C/8)][H][W][8], channels past C zero) ---- */
void yk_nhwc_to_nchw8c(const float *src, int64_t n, int64_t h, int64_t w, int64_t c, float *dst);
void yk_nchw8c_to_nhwc(const float *src, int64_t n, int64_t h, int64_t w, int64_t c, float *dst);
/// Copies `count` channel blocks per image from block `src_first` of a tensor of `src_blocks` blocks to block
/// `dst_first` of one of `dst_blocks` blocks (hw = H·W): concatenation and slicing at multiples of 8 channels.
void yk_copy_blocks(const float *src, int64_t src_blocks, int64_t src_first, float *dst, int64_t dst_blocks,
                    int64_t dst_first, int64_t count, int64_t n, int64_t hw);
/// Gradients of a (post-op free) convolution: diff_src (may be NULL), diff_weights as OIHW, diff_bias (may be NULL).
int yk_conv_backward(yk_conv *c, const float *src, const float *diff_dst,
                     float *diff_src, float *diff_weights_oihw, float *diff_bias);

/// C[M,N] = alpha * op(A) op(B) + beta * C, row-major, via dnnl_sgemm.
int yk_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
/// Sets flush-to-zero / denormals-are-zero on every OpenMP worker (done once automatically before the first
/// primitive is created); the calling thread gets the mode only while a primitive or sgemm runs.
void yk_flush_denormals(void);

/* ---- elementwise and data movement ---- */
void yk_silu(const float *x, float *y, int64_t n);
/* Batch-norm training forward: per-channel mean and biased variance of rows × c (NHWC), xhat and y = xhat·γ + β. */
void yk_bn_train_forward(const float *x, int64_t rows, int64_t c, const float *gamma, const float *beta, float eps,
                         float *mean, float *var, float *invstd, float *xhat, float *y);
/* Its backward: dγ = Σ g·xhat, dβ = Σ g, dx (when not NULL) from the saved xhat and invstd. */
void yk_bn_train_backward(const float *xhat, const float *g, int64_t rows, int64_t c, const float *gamma,
                          const float *invstd, float *dx, float *dgamma, float *dbeta);
/* Bilinear resize of NHWC images as torch's interpolate(bilinear, align_corners=False), no antialiasing. */
void yk_resize_bilinear_nhwc(const float *src, int64_t n, int64_t ih, int64_t iw, int64_t c, float *dst, int64_t oh,
                             int64_t ow);
/* Returns freed heap memory to the operating system (glibc's malloc_trim; nothing elsewhere). */
void yk_release_freed_memory(void);
/* A tensor buffer of at least `bytes`, 64-byte aligned; from 2 MB up it is 2 MB aligned, rounded up to whole 2 MB
   and advised as transparent huge pages (one fault per 2 MB instead of per 4 KB on first touch). Writes the usable
   size to *capacity; NULL when out of memory. Free with yk_buffer_free. */
void *yk_buffer_alloc(size_t bytes, size_t *capacity);
/* The capacity yk_buffer_alloc gives a request of `bytes` (0 on overflow). */
size_t yk_buffer_capacity(size_t bytes);
void yk_buffer_free(void *p);
/* The calling thread's scratch buffer `slot` (0-3: 0-1 convolution staging, 2 max-pool), at least `bytes`, 64-byte
   aligned, grown on demand and kept; its contents last only until the next call for the same slot. NULL when out of
   memory. */
void *yk_thread_scratch(int slot, size_t bytes);
/// oneDNN's runtime version (`dnnl_version()`).
void yk_dnnl_version(int *major, int *minor, int *patch);
/// The instruction set oneDNN dispatches to on this CPU (`dnnl_get_effective_cpu_isa()`, a `dnnl_cpu_isa_t`).
int yk_dnnl_effective_isa(void);
/* Batch norm (batch statistics) + SiLU in training, saving only x for backward (see batchnorm.c). */
void yk_bn_silu_train_forward(const float *x, int64_t rows, int64_t c, const float *gamma, const float *beta,
                              float eps, float *mean, float *var, float *invstd, float *y);
void yk_bn_silu_train_backward(const float *x, const float *g, int64_t rows, int64_t c, const float *gamma,
                               const float *beta, const float *mean, const float *invstd, float *dx, float *dgamma,
                               float *dbeta);
void yk_silu_backward(const float *x, const float *dy, float *dx, int64_t n);
void yk_sigmoid(const float *x, float *y, int64_t n);
/// y[i, c] = x[i, c] * scale[c] + shift[c] for rows of c channels; optional fused SiLU.
void yk_channel_affine(const float *x, const float *scale, const float *shift, float *y,
                       int64_t rows, int64_t c, int silu);
/// Copies a [rows, cs] block into a [rows, cd] buffer at channel offset off (cs + off <= cd).
void yk_copy_channels(const float *src, int64_t cs, float *dst, int64_t cd, int64_t off, int64_t rows);
/// Extracts channels [off, off + cd) of a [rows, cs] buffer into a dense [rows, cd] buffer.
void yk_slice_channels(const float *src, int64_t cs, int64_t off, float *dst, int64_t cd, int64_t rows);
/// NCHW -> NHWC for one image batch.
void yk_nchw_to_nhwc(const float *src, float *dst, int64_t n, int64_t c, int64_t h, int64_t w);
/// uint8 NHWC image -> float NHWC scaled by 1/255.
void yk_u8_to_float(const uint8_t *src, float *dst, int64_t count);
/// Max pool, NHWC, square kernel k, stride s, pad p (padding is -inf), floor mode.
void yk_maxpool(const float *x, float *y, int64_t n, int64_t h, int64_t w, int64_t c,
                int k, int s, int p, int64_t oh, int64_t ow);
/// Nearest upsample by an integer factor, NHWC.
void yk_upsample_nearest(const float *x, float *y, int64_t n, int64_t h, int64_t w, int64_t c, int f);

/* ---- detection head decode ---- */
/// Writes one level of the decoded head output into out[N, 4 + nc + nk, A] at anchor offset a0.
/// box: [N, H, W, 4*reg_max] logits, cls: [N, H, W, nc] logits, kpt: [N, H, W, nk] raw (may be NULL when nk == 0), all
/// NHWC, or all nChw8c when `blocked`.
void yk_decode_level(const float *box, const float *cls, const float *kpt, int blocked,
                     int64_t n, int64_t h, int64_t w, int reg_max, int nc, int nkpt, int kdim,
                     float stride, float *out, int64_t total_anchors, int64_t a0);

/* ---- training augmentation (OpenCV 5.0-exact, see augment_warp.c / augment_color.c) ---- */
/// Warps a 3-channel uint8 image with the forward 2×3 matrix (row-major doubles) into dst (dh × dw), bilinear,
/// constant border: what cv2.warpAffine(src, M, (dw, dh), borderValue=border) produces.
void yk_warp_affine_u8c3(const uint8_t *src, int sh, int sw, const double *forward, uint8_t *dst, int dh, int dw,
                         uint8_t border);
/// The same with a forward 3×3 matrix: cv2.warpPerspective.
void yk_warp_perspective_u8c3(const uint8_t *src, int sh, int sw, const double *forward, uint8_t *dst, int dh,
                              int dw, uint8_t border);
/// In place: BGR → 8-bit HSV (H < 180) → lut[0..255] on H, lut[256..511] on S, lut[512..767] on V → BGR.
void yk_hsv_lut_u8c3(uint8_t *img, int h, int w, const uint8_t *lut);
/// cv2.cvtColor(COLOR_BGR2HSV) of n pixels.
void yk_bgr_to_hsv_u8c3(const uint8_t *src, uint8_t *dst, int64_t n);
/// cv2.cvtColor(COLOR_HSV2BGR) of an h × w image (the result depends on the row width, as in OpenCV).
void yk_hsv_to_bgr_u8c3(const uint8_t *src, uint8_t *dst, int h, int w);
/// out = uint8(a·r + b·(1 − r)) in double, truncated (NumPy's blend then astype(uint8)).
void yk_blend_u8(const uint8_t *a, const uint8_t *b, double r, uint8_t *out, int64_t n);
/// Mirrors each row of a 3-channel image in place.
void yk_flip_horizontal_u8c3(uint8_t *img, int h, int w);
/// 1 when the CPU has AVX2 and FMA (the kernels' fast path; results are the same either way).
int yk_cpu_has_fma(void);

#ifdef __cplusplus
}
#endif
#endif
