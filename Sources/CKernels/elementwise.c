/* Elementwise loops and channel data movement for NHWC float32 buffers. */
#include "ckernels.h"
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

void yk_copy_channels(const float *src, int64_t cs, float *dst, int64_t cd, int64_t off, int64_t rows) {
    if (cs == cd) { memcpy(dst, src, (size_t)(rows * cs) * sizeof(float)); return; }
    for (int64_t r = 0; r < rows; r++) memcpy(dst + r * cd + off, src + r * cs, (size_t)cs * sizeof(float));
}

void yk_slice_channels(const float *src, int64_t cs, int64_t off, float *dst, int64_t cd, int64_t rows) {
    if (cs == cd) { memcpy(dst, src, (size_t)(rows * cs) * sizeof(float)); return; }
    for (int64_t r = 0; r < rows; r++) memcpy(dst + r * cd, src + r * cs + off, (size_t)cd * sizeof(float));
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
