/* NHWC <-> nChw8c (oneDNN's blocked layout: [N][ceil(C/8)][H][W][8], channels past C zero) and block copies. */
#include "ckernels.h"
#include <string.h>

void yk_nhwc_to_nchw8c(const float *src, int64_t n, int64_t h, int64_t w, int64_t c, float *dst) {
    int64_t cb = (c + 7) / 8, hw = h * w;
    for (int64_t b = 0; b < n; b++) {
        const float *s = src + b * hw * c;
        for (int64_t k = 0; k < cb; k++) {
            float *d = dst + (b * cb + k) * hw * 8;
            int64_t c0 = k * 8, width = c - c0 < 8 ? c - c0 : 8;
            if (width == 8) {
                for (int64_t i = 0; i < hw; i++) memcpy(d + i * 8, s + i * c + c0, 8 * sizeof(float));
            } else {
                for (int64_t i = 0; i < hw; i++) {
                    for (int64_t j = 0; j < 8; j++) d[i * 8 + j] = j < width ? s[i * c + c0 + j] : 0.0f;
                }
            }
        }
    }
}

void yk_nchw8c_to_nhwc(const float *src, int64_t n, int64_t h, int64_t w, int64_t c, float *dst) {
    int64_t cb = (c + 7) / 8, hw = h * w;
    for (int64_t b = 0; b < n; b++) {
        float *d = dst + b * hw * c;
        for (int64_t k = 0; k < cb; k++) {
            const float *s = src + (b * cb + k) * hw * 8;
            int64_t c0 = k * 8, width = c - c0 < 8 ? c - c0 : 8;
            if (width == 8) {
                for (int64_t i = 0; i < hw; i++) memcpy(d + i * c + c0, s + i * 8, 8 * sizeof(float));
            } else {
                for (int64_t i = 0; i < hw; i++) memcpy(d + i * c + c0, s + i * 8, (size_t)width * sizeof(float));
            }
        }
    }
}

void yk_copy_blocks(const float *src, int64_t src_blocks, int64_t src_first, float *dst, int64_t dst_blocks,
                    int64_t dst_first, int64_t count, int64_t n, int64_t hw) {
    for (int64_t b = 0; b < n; b++) {
        memcpy(dst + (b * dst_blocks + dst_first) * hw * 8, src + (b * src_blocks + src_first) * hw * 8,
               (size_t)(count * hw * 8) * sizeof(float));
    }
}
