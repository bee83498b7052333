/* Elementwise loops and channel data movement for NHWC float32 buffers. */
#include "ckernels.h"
#include "parallel.h"
#include <math.h>
#include <string.h>

#define YK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

YK_CLONES void yk_sigmoid(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
}

YK_CLONES void yk_channel_affine(const float *x, const float *scale, const float *shift, float *y,
                                 int64_t rows, int64_t c, int silu) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * c;
        float *yr = y + r * c;
        if (silu) {
            for (int64_t j = 0; j < c; j++) {
                float v = xr[j] * scale[j] + shift[j];
                yr[j] = v / (1.0f + expf(-v));
            }
        } else {
            for (int64_t j = 0; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
        }
    }
}

/* Row r of dst (stride ds, from column doff) takes `width` values of row r of src (stride ss, from column soff). */
struct strided_copy {
    const float *src;
    int64_t ss, soff;
    float *dst;
    int64_t ds, doff, width;
};

static void copy_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    const struct strided_copy *c = ctx;
    const int64_t width = c->width;
    const float *s = c->src + r0 * c->ss + c->soff;
    float *d = c->dst + r0 * c->ds + c->doff;
    if (width >= 64) {
        for (int64_t r = r0; r < r1; r++, s += c->ss, d += c->ds) memcpy(d, s, (size_t)width * sizeof(float));
        return;
    }
    /* narrow rows (a few dozen channels, bf16 pairs as floats): a call to memcpy per row cost more than the copy */
    for (int64_t r = r0; r < r1; r++, s += c->ss, d += c->ds) {
        int64_t k = 0;
        for (; k + 8 <= width; k += 8) __builtin_memcpy(d + k, s + k, 8 * sizeof(float));  /* inlined: fixed size */
        for (; k < width; k++) d[k] = s[k];
    }
}

/* Copies the rows on the OpenMP team when there is enough to move (~128 KB): the concatenations and splits of a bf16
   forward were ~3 % of it on the calling thread alone while the other threads waited. */
static void copy_strided(const struct strided_copy *c, int64_t rows) {
    if (c->ss == c->width && c->ds == c->width) {  /* dense: one block */
        memcpy(c->dst + c->doff, c->src + c->soff, (size_t)(rows * c->width) * sizeof(float));
        return;
    }
    yk_parallel(rows, rows * c->width >= (1 << 15) ? omp_get_max_threads() : 1, copy_rows, (void *)c);
}

void yk_copy_channels(const float *src, int64_t cs, float *dst, int64_t cd, int64_t off, int64_t rows) {
    struct strided_copy c = {src, cs, 0, dst, cd, off, cs};
    copy_strided(&c, rows);
}

void yk_slice_channels(const float *src, int64_t cs, int64_t off, float *dst, int64_t cd, int64_t rows) {
    struct strided_copy c = {src, cs, off, dst, cd, 0, cd};
    copy_strided(&c, rows);
}

YK_CLONES void yk_nchw_to_nhwc(const float *src, float *dst, int64_t n, int64_t c, int64_t h, int64_t w) {
    int64_t hw = h * w;
    for (int64_t b = 0; b < n; b++) {
        const float *s = src + b * c * hw;
        float *d = dst + b * c * hw;
        for (int64_t p = 0; p < hw; p++)
            for (int64_t ch = 0; ch < c; ch++) d[p * c + ch] = s[ch * hw + p];
    }
}

YK_CLONES void yk_u8_to_float(const uint8_t *src, float *dst, int64_t count) {
    for (int64_t i = 0; i < count; i++) dst[i] = (float)src[i] / 255.0f;
}
