/* fp32 <-> bf16 conversion of activations (bf16 inference, see dnnl_conv.c try_bf16). bf16 is the upper half of an
   IEEE float; fp32 -> bf16 rounds to nearest even as oneDNN does, and keeps NaN a (quiet) NaN. */
#include "ckernels.h"
#include "parallel.h"
#include <string.h>

#define YK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

YK_CLONES static void to_bf16(const float *restrict src, uint16_t *restrict dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &src[i], sizeof u);
        uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        dst[i] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : rounded);
    }
}

YK_CLONES static void to_f32(const uint16_t *restrict src, float *restrict dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)src[i] << 16;
        memcpy(&dst[i], &u, sizeof u);
    }
}

struct convert_job {
    const void *src;
    void *dst;
    int to_bf16;
};

/* Elements [i0, i1) in units of 64. */
static void convert_range(void *ctx, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    const struct convert_job *j = ctx;
    int64_t n = (i1 - i0) * 64;
    if (j->to_bf16) to_bf16((const float *)j->src + i0 * 64, (uint16_t *)j->dst + i0 * 64, n);
    else to_f32((const uint16_t *)j->src + i0 * 64, (float *)j->dst + i0 * 64, n);
}

/* Large conversions (feature maps of 100k+ values) on every OpenMP thread; the tail of n % 64 on the caller. */
static void convert(const void *src, void *dst, int64_t n, int to_bf16_) {
    struct convert_job j = {src, dst, to_bf16_};
    int64_t units = n / 64;
    yk_parallel(units, n >= (int64_t)1 << 17 ? omp_get_max_threads() : 1, convert_range, &j);
    int64_t done = units * 64;
    if (to_bf16_) to_bf16((const float *)src + done, (uint16_t *)dst + done, n - done);
    else to_f32((const uint16_t *)src + done, (float *)dst + done, n - done);
}

void yk_f32_to_bf16(const float *src, uint16_t *dst, int64_t n) { convert(src, dst, n, 1); }

void yk_bf16_to_f32(const uint16_t *src, float *dst, int64_t n) { convert(src, dst, n, 0); }
