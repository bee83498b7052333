/* Bilinear resize of NHWC float images as torch's interpolate(mode="bilinear", align_corners=False) without
   antialiasing: source coordinate (d + 0.5)·in/out − 0.5 clamped at 0, two taps per axis. */
#include "ckernels.h"
#include <stdlib.h>

static void axis_taps(int64_t in, int64_t out, int64_t *i0, int64_t *i1, float *l0, float *l1) {
    float scale = (float)in / (float)out;
    for (int64_t d = 0; d < out; d++) {
        float s = scale * ((float)d + 0.5f) - 0.5f;
        if (s < 0) s = 0;
        int64_t a = (int64_t)s;
        i0[d] = a;
        i1[d] = a < in - 1 ? a + 1 : a;
        l1[d] = s - (float)a;
        l0[d] = 1.0f - l1[d];
    }
}

void yk_resize_bilinear_nhwc(const float *src, int64_t n, int64_t ih, int64_t iw, int64_t c, float *dst, int64_t oh,
                             int64_t ow) {
    int64_t *hi = malloc((size_t)(2 * oh + 2 * ow) * sizeof(int64_t));
    float *hl = malloc((size_t)(2 * oh + 2 * ow) * sizeof(float));
    int64_t *h0 = hi, *h1 = hi + oh, *w0 = hi + 2 * oh, *w1 = w0 + ow;
    float *lh0 = hl, *lh1 = hl + oh, *lw0 = hl + 2 * oh, *lw1 = lw0 + ow;
    axis_taps(ih, oh, h0, h1, lh0, lh1);
    axis_taps(iw, ow, w0, w1, lw0, lw1);
    for (int64_t b = 0; b < n; b++) {
        const float *img = src + b * ih * iw * c;
        for (int64_t y = 0; y < oh; y++) {
            const float *r0 = img + h0[y] * iw * c, *r1 = img + h1[y] * iw * c;
            float *out = dst + ((b * oh + y) * ow) * c;
            for (int64_t x = 0; x < ow; x++) {
                float w00 = lh0[y] * lw0[x], w01 = lh0[y] * lw1[x], w10 = lh1[y] * lw0[x], w11 = lh1[y] * lw1[x];
                const float *p00 = r0 + w0[x] * c, *p01 = r0 + w1[x] * c, *p10 = r1 + w0[x] * c, *p11 = r1 + w1[x] * c;
                for (int64_t k = 0; k < c; k++)
                    out[x * c + k] = p00[k] * w00 + p01[k] * w01 + p10[k] * w10 + p11[k] * w11;
            }
        }
    }
    free(hi);
    free(hl);
}
