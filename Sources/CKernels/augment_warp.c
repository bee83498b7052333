/* Geometric warps of 8-bit, 3-channel images for training augmentation, bit-exact with OpenCV 5.0's
   warpAffine / warpPerspective (INTER_LINEAR, BORDER_CONSTANT) on x86-64 with AVX2.

   What OpenCV computes (measured against cv2 5.0.0 on random images and matrices):
   * the forward matrix is inverted in double (affine: closed-form 2×2 inverse and offset; perspective: adjugate /
     determinant), then every coefficient is rounded to float;
   * per output row y: rx = y·m1 (float) + m2 (float, not fused), likewise ry and rw;
   * per output pixel x of the vectorized part (the first dw − dw mod 16 columns): sx = fma(m0, x, rx),
     sy = fma(m3, x, ry) (perspective: w = fma(m6, x, rw), then sx /= w, sy /= w); the last dw mod 16 columns use
     sx = fma(x, m0, y·m1) + m2 instead;
   * ix = floor(sx), a = sx − ix (float), likewise iy, b; taps outside the source take the border value;
   * v0 = fma(a, p01 − p00, p00), v1 = fma(a, p11 − p10, p10), v = fma(b, v1 − v0, v0); out = round-half-even(v),
     saturated to 0…255.
   Fused multiply-adds are written explicitly and contraction is off for everything else. */
#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Exactness needs every multiply-add not written as fmaf() left unfused: clang honours this pragma (GCC ignores it
   and needs -ffp-contract=off). */
#pragma STDC FP_CONTRACT OFF

#define VECTOR_WIDTH 16

static inline uint8_t sat_round(float v) {
    long r = lrintf(v);
    return (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
}

/* One output pixel from source position (sx, sy). */
static inline __attribute__((always_inline))
void bilinear_px(const uint8_t *src, int sh, int sw, float sx, float sy, uint8_t border, uint8_t *o) {
    /* Out-of-range and NaN coordinates convert to INT_MIN in OpenCV's vector floor, i.e. outside. */
    if (!(sx > -2147483520.f && sx < 2147483520.f && sy > -2147483520.f && sy < 2147483520.f)) {
        o[0] = o[1] = o[2] = border;
        return;
    }
    float fx = floorf(sx), fy = floorf(sy);
    int ix = (int)fx, iy = (int)fy;
    float a = sx - fx, b = sy - fy;
    if (ix < -1 || iy < -1 || ix >= sw || iy >= sh) {
        o[0] = o[1] = o[2] = border;
        return;
    }
    float bv = (float)border;
    if (ix >= 0 && iy >= 0 && ix < sw - 1 && iy < sh - 1) {
        const uint8_t *p0 = src + ((size_t)iy * sw + ix) * 3, *p1 = p0 + (size_t)sw * 3;
        for (int c = 0; c < 3; c++) {
            float q00 = p0[c], q01 = p0[c + 3], q10 = p1[c], q11 = p1[c + 3];
            float v0 = fmaf(a, q01 - q00, q00), v1 = fmaf(a, q11 - q10, q10);
            o[c] = sat_round(fmaf(b, v1 - v0, v0));
        }
        return;
    }
    int in0x = ix >= 0, in1x = ix + 1 < sw, in0y = iy >= 0, in1y = iy + 1 < sh;
    const uint8_t *r0 = src + ((size_t)iy * sw) * 3, *r1 = r0 + (size_t)sw * 3;
    for (int c = 0; c < 3; c++) {
        float q00 = (in0y && in0x) ? r0[(size_t)ix * 3 + c] : bv;
        float q01 = (in0y && in1x) ? r0[(size_t)(ix + 1) * 3 + c] : bv;
        float q10 = (in1y && in0x) ? r1[(size_t)ix * 3 + c] : bv;
        float q11 = (in1y && in1x) ? r1[(size_t)(ix + 1) * 3 + c] : bv;
        float v0 = fmaf(a, q01 - q00, q00), v1 = fmaf(a, q11 - q10, q10);
        o[c] = sat_round(fmaf(b, v1 - v0, v0));
    }
}

/* The inverse of the forward 2×3 matrix as OpenCV's warpAffine forms it, rounded to float. */
static void affine_inverse(const double *fwd, float *m) {
    double M[6];
    for (int i = 0; i < 6; i++) M[i] = fwd[i];
    double D = M[0] * M[4] - M[1] * M[3];
    D = D != 0 ? 1. / D : 0;
    double a11 = M[4] * D, a22 = M[0] * D;
    M[0] = a11; M[1] *= -D;
    M[3] *= -D; M[4] = a22;
    double b1 = -M[0] * M[2] - M[1] * M[5];
    double b2 = -M[3] * M[2] - M[4] * M[5];
    M[2] = b1; M[5] = b2;
    for (int i = 0; i < 6; i++) m[i] = (float)M[i];
}

/* The inverse of the forward 3×3 matrix (adjugate over determinant, in double), rounded to float. */
static void perspective_inverse(const double *s, float *m) {
    double M[9] = {0};
    double d = s[0] * (s[4] * s[8] - s[5] * s[7]) - s[1] * (s[3] * s[8] - s[5] * s[6])
             + s[2] * (s[3] * s[7] - s[4] * s[6]);
    if (d != 0.) {
        d = 1. / d;
        M[0] = (s[4] * s[8] - s[5] * s[7]) * d; M[1] = (s[2] * s[7] - s[1] * s[8]) * d;
        M[2] = (s[1] * s[5] - s[2] * s[4]) * d; M[3] = (s[5] * s[6] - s[3] * s[8]) * d;
        M[4] = (s[0] * s[8] - s[2] * s[6]) * d; M[5] = (s[2] * s[3] - s[0] * s[5]) * d;
        M[6] = (s[3] * s[7] - s[4] * s[6]) * d; M[7] = (s[1] * s[6] - s[0] * s[7]) * d;
        M[8] = (s[0] * s[4] - s[1] * s[3]) * d;
    }
    for (int i = 0; i < 9; i++) m[i] = (float)M[i];
}

/* Interior columns [x0, x1) of an axis-aligned row (every tap inside the source), 8 at a time with AVX2: the
   same float32 operations lane by lane (gathered taps, fma, round half to even), so the same bytes. Gathers read
   4 bytes at each tap pixel's offset and, for the right-hand taps, at offset + 2 (then shifted), which stays
   inside the row because ix + 1 ≤ sw − 1. Returns the first column not done. */
#include <immintrin.h>
__attribute__((target("avx2,fma")))
static int warp_interior_avx2(const uint8_t *r0, const uint8_t *r1, const int *col_off, const float *col_a, float b,
                              int x0, int x1, uint8_t *row) {
    const __m256 vb = _mm256_set1_ps(b);
    const __m256i byte = _mm256_set1_epi32(0xFF);
    int x = x0;
    for (; x + 8 <= x1; x += 8) {
        __m256i off = _mm256_loadu_si256((const __m256i *)(col_off + x));
        __m256 a = _mm256_loadu_ps(col_a + x);
        __m256i g00 = _mm256_i32gather_epi32((const int *)r0, off, 1);
        __m256i g01 = _mm256_srli_epi32(_mm256_i32gather_epi32((const int *)(r0 + 2), off, 1), 8);
        __m256i g10 = _mm256_i32gather_epi32((const int *)r1, off, 1);
        __m256i g11 = _mm256_srli_epi32(_mm256_i32gather_epi32((const int *)(r1 + 2), off, 1), 8);
        int32_t out[3][8];
        for (int c = 0; c < 3; c++) {
            __m256 q00 = _mm256_cvtepi32_ps(_mm256_and_si256(g00, byte));
            __m256 q01 = _mm256_cvtepi32_ps(_mm256_and_si256(g01, byte));
            __m256 q10 = _mm256_cvtepi32_ps(_mm256_and_si256(g10, byte));
            __m256 q11 = _mm256_cvtepi32_ps(_mm256_and_si256(g11, byte));
            __m256 v0 = _mm256_fmadd_ps(a, _mm256_sub_ps(q01, q00), q00);
            __m256 v1 = _mm256_fmadd_ps(a, _mm256_sub_ps(q11, q10), q10);
            __m256 v = _mm256_fmadd_ps(vb, _mm256_sub_ps(v1, v0), v0);
            _mm256_storeu_si256((__m256i *)out[c], _mm256_cvtps_epi32(v));
            g00 = _mm256_srli_epi32(g00, 8); g01 = _mm256_srli_epi32(g01, 8);
            g10 = _mm256_srli_epi32(g10, 8); g11 = _mm256_srli_epi32(g11, 8);
        }
        uint8_t *o = row + (size_t)x * 3;
        for (int i = 0; i < 8; i++) {
            o[3 * i] = (uint8_t)out[0][i]; o[3 * i + 1] = (uint8_t)out[1][i]; o[3 * i + 2] = (uint8_t)out[2][i];
        }
    }
    return x;
}

/* Rows of an axis-aligned warp (m1 = m3 = 0: no rotation or shear, the default augmentation): the source column
   of every output column is the same on every row, so ix and a are computed once per column with the very same
   float operations, and each row only adds its iy and b. */
static inline __attribute__((always_inline))
void warp_axis_aligned(const uint8_t *src, int sh, int sw, const float *m, uint8_t *dst, int dh, int dw,
                       uint8_t border, int *col_ix, float *col_a, int avx2) {
    int vend = dw - dw % VECTOR_WIDTH;
    float rx = 0.f * m[1] + m[2];
    for (int x = 0; x < dw; x++) {
        float xf = (float)x;
        float sx = x < vend ? fmaf(m[0], xf, rx) : fmaf(xf, m[0], 0.f * m[1]) + m[2];
        if (!(sx > -2147483520.f && sx < 2147483520.f)) { col_ix[x] = -2; col_a[x] = 0; continue; }
        float fx = floorf(sx);
        int ix = (int)fx;
        col_ix[x] = (ix < -1 || ix >= sw) ? -2 : ix;
        col_a[x] = sx - fx;
    }
    /* The run of columns whose taps are all inside horizontally (source columns ascend with x: m0 > 0). */
    int xa = 0, xb = 0;
    if (avx2 && m[0] > 0) {
        while (xa < dw && !(col_ix[xa] >= 0 && col_ix[xa] < sw - 1)) xa++;
        xb = xa;
        while (xb < dw && col_ix[xb] >= 0 && col_ix[xb] < sw - 1) xb++;
        for (int x = xa; x < xb; x++) col_ix[x] *= 3;   /* byte offsets for the run, restored below */
    }
    float bv = (float)border;
    for (int y = 0; y < dh; y++) {
        float yf = (float)y;
        float ym4 = yf * m[4];
        float ry = ym4 + m[5];
        uint8_t *row = dst + (size_t)y * dw * 3;
        /* sy is the same for every column: fma(m3 = 0, x, ry) = ry, and the tail's fma(x, 0, y·m4) + m5 too. */
        float sy = fmaf(m[3], 0.f, ry);
        int iy;
        float b;
        if (!(sy > -2147483520.f && sy < 2147483520.f) || floorf(sy) < -1.f || floorf(sy) >= (float)sh) {
            memset(row, border, (size_t)dw * 3);
            continue;
        }
        float fy = floorf(sy);
        iy = (int)fy;
        b = sy - fy;
        int in0y = iy >= 0, in1y = iy + 1 < sh;
        const uint8_t *r0 = src + (size_t)(in0y ? iy : 0) * sw * 3;
        const uint8_t *r1 = src + (size_t)(in1y ? iy + 1 : 0) * sw * 3;
        int skip_to = -1;
        if (xb > xa && in0y && in1y) skip_to = warp_interior_avx2(r0, r1, col_ix, col_a, b, xa, xb, row);
        for (int x = 0; x < dw; x++) {
            if (x == xa && skip_to > xa) { x = skip_to - 1; continue; }
            int ix = (x >= xa && x < xb) ? col_ix[x] / 3 : col_ix[x];
            uint8_t *o = row + (size_t)x * 3;
            if (ix == -2) { o[0] = o[1] = o[2] = border; continue; }
            float a = col_a[x];
            if (in0y && in1y && ix >= 0 && ix < sw - 1) {
                const uint8_t *p0 = r0 + (size_t)ix * 3, *p1 = r1 + (size_t)ix * 3;
                for (int c = 0; c < 3; c++) {
                    float q00 = p0[c], q01 = p0[c + 3], q10 = p1[c], q11 = p1[c + 3];
                    float v0 = fmaf(a, q01 - q00, q00), v1 = fmaf(a, q11 - q10, q10);
                    o[c] = sat_round(fmaf(b, v1 - v0, v0));
                }
                continue;
            }
            int in0x = ix >= 0, in1x = ix + 1 < sw;
            for (int c = 0; c < 3; c++) {
                float q00 = (in0y && in0x) ? r0[(size_t)ix * 3 + c] : bv;
                float q01 = (in0y && in1x) ? r0[(size_t)(ix + 1) * 3 + c] : bv;
                float q10 = (in1y && in0x) ? r1[(size_t)ix * 3 + c] : bv;
                float q11 = (in1y && in1x) ? r1[(size_t)(ix + 1) * 3 + c] : bv;
                float v0 = fmaf(a, q01 - q00, q00), v1 = fmaf(a, q11 - q10, q10);
                o[c] = sat_round(fmaf(b, v1 - v0, v0));
            }
        }
    }
}

static inline __attribute__((always_inline))
void warp_affine_body(const uint8_t *src, int sh, int sw, const float *m, uint8_t *dst, int dh, int dw,
                      uint8_t border) {
    int vend = dw - dw % VECTOR_WIDTH;
    for (int y = 0; y < dh; y++) {
        float yf = (float)y;
        float ym1 = yf * m[1], ym4 = yf * m[4];
        float rx = ym1 + m[2], ry = ym4 + m[5];
        uint8_t *row = dst + (size_t)y * dw * 3;
        for (int x = 0; x < vend; x++) {
            float xf = (float)x;
            bilinear_px(src, sh, sw, fmaf(m[0], xf, rx), fmaf(m[3], xf, ry), border, row + (size_t)x * 3);
        }
        for (int x = vend; x < dw; x++) {
            float xf = (float)x;
            float sx = fmaf(xf, m[0], ym1) + m[2], sy = fmaf(xf, m[3], ym4) + m[5];
            bilinear_px(src, sh, sw, sx, sy, border, row + (size_t)x * 3);
        }
    }
}

static inline __attribute__((always_inline))
void warp_perspective_body(const uint8_t *src, int sh, int sw, const float *m, uint8_t *dst, int dh, int dw,
                           uint8_t border) {
    int vend = dw - dw % VECTOR_WIDTH;
    for (int y = 0; y < dh; y++) {
        float yf = (float)y;
        float ym1 = yf * m[1], ym4 = yf * m[4], ym7 = yf * m[7];
        float rx = ym1 + m[2], ry = ym4 + m[5], rw = ym7 + m[8];
        uint8_t *row = dst + (size_t)y * dw * 3;
        for (int x = 0; x < dw; x++) {
            float xf = (float)x, sx, sy, w;
            if (x < vend) {
                sx = fmaf(m[0], xf, rx); sy = fmaf(m[3], xf, ry); w = fmaf(m[6], xf, rw);
            } else {
                sx = fmaf(xf, m[0], ym1) + m[2]; sy = fmaf(xf, m[3], ym4) + m[5]; w = fmaf(xf, m[6], ym7) + m[8];
            }
            bilinear_px(src, sh, sw, sx / w, sy / w, border, row + (size_t)x * 3);
        }
    }
}

__attribute__((target("avx2,fma")))
static void warp_affine_fma(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b) {
    warp_affine_body(s, sh, sw, m, d, dh, dw, b);
}
static void warp_affine_soft(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b) {
    warp_affine_body(s, sh, sw, m, d, dh, dw, b);
}
__attribute__((target("avx2,fma")))
static void warp_aligned_fma(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b,
                             int *ci, float *ca) {
    warp_axis_aligned(s, sh, sw, m, d, dh, dw, b, ci, ca, 1);
}
static void warp_aligned_soft(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b,
                              int *ci, float *ca) {
    warp_axis_aligned(s, sh, sw, m, d, dh, dw, b, ci, ca, 0);
}
__attribute__((target("avx2,fma")))
static void warp_persp_fma(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b) {
    warp_perspective_body(s, sh, sw, m, d, dh, dw, b);
}
static void warp_persp_soft(const uint8_t *s, int sh, int sw, const float *m, uint8_t *d, int dh, int dw, uint8_t b) {
    warp_perspective_body(s, sh, sw, m, d, dh, dw, b);
}

int yk_cpu_has_fma(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

void yk_warp_affine_u8c3(const uint8_t *src, int sh, int sw, const double *forward, uint8_t *dst, int dh, int dw,
                         uint8_t border) {
    float m[6];
    affine_inverse(forward, m);
    if (m[1] == 0.f && m[3] == 0.f && dw > 0) {
        int *ci = malloc((size_t)dw * sizeof(int));
        float *ca = malloc((size_t)dw * sizeof(float));
        if (ci && ca) {
            if (yk_cpu_has_fma()) warp_aligned_fma(src, sh, sw, m, dst, dh, dw, border, ci, ca);
            else warp_aligned_soft(src, sh, sw, m, dst, dh, dw, border, ci, ca);
            free(ci); free(ca);
            return;
        }
        free(ci); free(ca);
    }
    if (yk_cpu_has_fma()) warp_affine_fma(src, sh, sw, m, dst, dh, dw, border);
    else warp_affine_soft(src, sh, sw, m, dst, dh, dw, border);
}

void yk_warp_perspective_u8c3(const uint8_t *src, int sh, int sw, const double *forward, uint8_t *dst, int dh,
                              int dw, uint8_t border) {
    float m[9];
    perspective_inverse(forward, m);
    if (yk_cpu_has_fma()) warp_persp_fma(src, sh, sw, m, dst, dh, dw, border);
    else warp_persp_soft(src, sh, sw, m, dst, dh, dw, border);
}
