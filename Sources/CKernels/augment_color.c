/* Pixel loops of the colour and blending augmentations on 8-bit, 3-channel (BGR) images.

   HSV round trip, bit-exact with OpenCV 5.0's cvtColor(COLOR_BGR2HSV) → per-channel LUT → cvtColor(COLOR_HSV2BGR)
   on x86-64 with AVX2 (checked against cv2 5.0.0 on every BGR colour and every HSV triple):
   * BGR → HSV is integer arithmetic with 12-bit fixed-point reciprocal tables (H in 0…179);
   * HSV → BGR converts s and v to float (× 1/255), h·(6/180), takes the sector by truncation, forms
     v·(1 − s), v·fma(−s, f, 1), v·fma(−s, 1 − f, 1) and, in OpenCV's vector blocks of 32 pixels, scales by 255 and
     truncates; the last (width mod 32) pixels of each row take OpenCV's scalar path instead, which reduces h with
     fmod, special-cases s = 0 and rounds half to even. */
#include "ckernels.h"
#include <math.h>
#include <pthread.h>

/* Exactness needs every multiply-add not written as fmaf() left unfused: clang honours this pragma (GCC ignores it
   and needs -ffp-contract=off). */
#pragma STDC FP_CONTRACT OFF

#define HSV_BLOCK 32

static int sdiv_table[256], hdiv_table[256];
/* The vector block's per-channel inputs, computed once with the block's own float operations: the fraction f,
   1 − f and the sector of every hue, and s/255, v/255 of every byte. */
static float hue_frac[256], hue_frac1[256], unit[256];
static uint8_t hue_sector[256];
static int hue_sector32[256];
/* Which of t0…t3 each output channel takes in each sector (b, g, r). */
static const uint8_t pick_b[6] = {1, 1, 3, 0, 0, 2}, pick_g[6] = {3, 0, 0, 2, 1, 1}, pick_r[6] = {0, 2, 1, 1, 3, 0};
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void fill_tables(void) {
    sdiv_table[0] = hdiv_table[0] = 0;
    for (int i = 1; i < 256; i++) {
        sdiv_table[i] = (int)lrint((255 << 12) / (1. * i));
        hdiv_table[i] = (int)lrint((180 << 12) / (6. * i));
    }
    for (int i = 0; i < 256; i++) {
        float h = (float)i * (6.0f / 180.0f);
        float pre = (float)(int)h;
        float sec = pre - (float)(int)(pre * (1.0f / 6.0f)) * 6.0f;
        hue_frac[i] = h - pre;
        hue_frac1[i] = 1.f - hue_frac[i];
        hue_sector[i] = (uint8_t)sec;
        hue_sector32[i] = (int)sec;
        unit[i] = (float)i * (1.0f / 255.0f);
    }
}

static void init_tables(void) { pthread_once(&tables_once, fill_tables); }

static inline __attribute__((always_inline)) void bgr_to_hsv(const uint8_t *p, int *h, int *s, int *v) {
    int b = p[0], g = p[1], r = p[2];
    int mx = b, mn = b;
    if (g > mx) mx = g;
    if (r > mx) mx = r;
    if (g < mn) mn = g;
    if (r < mn) mn = r;
    int diff = mx - mn;
    int vr = mx == r ? -1 : 0, vg = mx == g ? -1 : 0;
    *s = (diff * sdiv_table[mx] + (1 << 11)) >> 12;
    int hh = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + ((~vg) & (r - g + 4 * diff))));
    hh = (hh * hdiv_table[diff] + (1 << 11)) >> 12;
    hh += hh < 0 ? 180 : 0;
    *h = hh;
    *v = mx;
}

static inline uint8_t trunc_u8(float x) {
    int q = (int)x;
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

static inline uint8_t round_u8(float x) {
    long q = lrintf(x);
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

/* OpenCV's vector-block HSV → BGR: h·(6/180) split into sector and fraction f (by truncation), s and v scaled by
   1/255, t = (v, v·(1 − s), v·fma(−s, f, 1), v·fma(−s, 1 − f, 1)), each channel picks its t by sector, ×255,
   truncated. The sector, pre − 6·trunc(pre/6), is 0…5 for every byte. */
static inline __attribute__((always_inline)) void hsv_to_bgr_block(int hi, int si, int vi, uint8_t *o) {
    float s = unit[si], v = unit[vi];
    float t[4] = {v, v * (1.f - s), v * fmaf(-s, hue_frac[hi], 1.f), v * fmaf(-s, hue_frac1[hi], 1.f)};
    int sec = hue_sector[hi];
    o[0] = trunc_u8(t[pick_b[sec]] * 255.f);
    o[1] = trunc_u8(t[pick_g[sec]] * 255.f);
    o[2] = trunc_u8(t[pick_r[sec]] * 255.f);
}

/* OpenCV's scalar HSV → BGR (row tails). */
static inline __attribute__((always_inline)) void hsv_to_bgr_tail(int hi, int si, int vi, uint8_t *o) {
    static const int sector_data[6][3] = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};
    float h = (float)hi, s = (float)si * (1.0f / 255.0f), v = (float)vi * (1.0f / 255.0f);
    float b, g, r;
    if (s == 0) {
        b = g = r = v;
    } else {
        h *= 6.0f / 180.0f;
        h = fmodf(h, 6.f);
        int sector = (int)floorf(h);
        h -= (float)sector;
        if ((unsigned)sector >= 6u) { sector = 0; h = 0.f; }
        float tab[4] = {v, v * (1.f - s), v * fmaf(-s, h, 1.f), v * fmaf(-s, 1.f - h, 1.f)};
        b = tab[sector_data[sector][0]];
        g = tab[sector_data[sector][1]];
        r = tab[sector_data[sector][2]];
    }
    o[0] = round_u8(b * 255.f);
    o[1] = round_u8(g * 255.f);
    o[2] = round_u8(r * 255.f);
}

/* The vector-block part of a row, 8 pixels at a time with AVX2: the same integer and float32 operations as the
   scalar code lane by lane (table lookups become gathers), so the same bytes. `lut32` is the 768-entry table as
   int32. */
#include <immintrin.h>
__attribute__((target("avx2,fma")))
static void hsv_lut_block_avx2(uint8_t *p, int n, const int *lut32) {
    const __m256i half = _mm256_set1_epi32(1 << 11), h180 = _mm256_set1_epi32(180), zero = _mm256_setzero_si256();
    const __m256 one = _mm256_set1_ps(1.f), k255 = _mm256_set1_ps(255.f);
    for (int x = 0; x + 8 <= n; x += 8, p += 24) {
        int32_t bi[8], gi[8], ri[8];
        for (int i = 0; i < 8; i++) { bi[i] = p[3 * i]; gi[i] = p[3 * i + 1]; ri[i] = p[3 * i + 2]; }
        __m256i b = _mm256_loadu_si256((const __m256i *)bi), g = _mm256_loadu_si256((const __m256i *)gi),
                r = _mm256_loadu_si256((const __m256i *)ri);
        __m256i mx = _mm256_max_epi32(b, _mm256_max_epi32(g, r)), mn = _mm256_min_epi32(b, _mm256_min_epi32(g, r));
        __m256i diff = _mm256_sub_epi32(mx, mn);
        __m256i vr = _mm256_cmpeq_epi32(mx, r), vg = _mm256_cmpeq_epi32(mx, g);
        __m256i s = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(diff, _mm256_i32gather_epi32(sdiv_table, mx, 4)), half), 12);
        __m256i d2 = _mm256_add_epi32(diff, diff), d4 = _mm256_add_epi32(d2, d2);
        __m256i hg = _mm256_sub_epi32(g, b);
        __m256i hb = _mm256_add_epi32(_mm256_sub_epi32(b, r), d2);
        __m256i hr = _mm256_add_epi32(_mm256_sub_epi32(r, g), d4);
        __m256i h = _mm256_add_epi32(_mm256_and_si256(vr, hg),
                                     _mm256_andnot_si256(vr, _mm256_add_epi32(_mm256_and_si256(vg, hb), _mm256_andnot_si256(vg, hr))));
        h = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(h, _mm256_i32gather_epi32(hdiv_table, diff, 4)), half), 12);
        h = _mm256_add_epi32(h, _mm256_and_si256(_mm256_cmpgt_epi32(zero, h), h180));
        __m256i hh = _mm256_i32gather_epi32(lut32, h, 4);
        __m256i ss = _mm256_i32gather_epi32(lut32 + 256, s, 4);
        __m256i vv = _mm256_i32gather_epi32(lut32 + 512, mx, 4);
        __m256 sf = _mm256_i32gather_ps(unit, ss, 4), vf = _mm256_i32gather_ps(unit, vv, 4);
        __m256 f = _mm256_i32gather_ps(hue_frac, hh, 4), f1 = _mm256_i32gather_ps(hue_frac1, hh, 4);
        __m256i sec = _mm256_i32gather_epi32(hue_sector32, hh, 4);
        __m256 t0 = vf, t1 = _mm256_mul_ps(vf, _mm256_sub_ps(one, sf));
        __m256 t2 = _mm256_mul_ps(vf, _mm256_fnmadd_ps(sf, f, one)), t3 = _mm256_mul_ps(vf, _mm256_fnmadd_ps(sf, f1, one));
        __m256 m[6];
        for (int k = 0; k < 6; k++) m[k] = _mm256_castsi256_ps(_mm256_cmpeq_epi32(sec, _mm256_set1_epi32(k)));
        __m256 B = t1;
        B = _mm256_blendv_ps(B, t3, m[2]);
        B = _mm256_blendv_ps(B, t0, _mm256_or_ps(m[3], m[4]));
        B = _mm256_blendv_ps(B, t2, m[5]);
        __m256 G = t1;
        G = _mm256_blendv_ps(G, t3, m[0]);
        G = _mm256_blendv_ps(G, t0, _mm256_or_ps(m[1], m[2]));
        G = _mm256_blendv_ps(G, t2, m[3]);
        __m256 R = t0;
        R = _mm256_blendv_ps(R, t2, m[1]);
        R = _mm256_blendv_ps(R, t1, _mm256_or_ps(m[2], m[3]));
        R = _mm256_blendv_ps(R, t3, m[4]);
        int32_t ob[8], og[8], orr[8];
        _mm256_storeu_si256((__m256i *)ob, _mm256_cvttps_epi32(_mm256_mul_ps(B, k255)));
        _mm256_storeu_si256((__m256i *)og, _mm256_cvttps_epi32(_mm256_mul_ps(G, k255)));
        _mm256_storeu_si256((__m256i *)orr, _mm256_cvttps_epi32(_mm256_mul_ps(R, k255)));
        for (int i = 0; i < 8; i++) {
            p[3 * i] = (uint8_t)ob[i]; p[3 * i + 1] = (uint8_t)og[i]; p[3 * i + 2] = (uint8_t)orr[i];
        }
    }
}

static inline __attribute__((always_inline))
void hsv_lut_body(uint8_t *img, int h, int w, const uint8_t *lut, const int *lut32) {
    int vend = w - w % HSV_BLOCK;
    for (int y = 0; y < h; y++) {
        uint8_t *row = img + (size_t)y * w * 3;
        int x = 0;
        if (lut32) {
            hsv_lut_block_avx2(row, vend, lut32);
            x = vend;
        }
        for (; x < w; x++) {
            uint8_t *p = row + (size_t)x * 3;
            int hh, ss, vv;
            bgr_to_hsv(p, &hh, &ss, &vv);
            hh = lut[hh]; ss = lut[256 + ss]; vv = lut[512 + vv];
            if (x < vend) hsv_to_bgr_block(hh, ss, vv, p);
            else hsv_to_bgr_tail(hh, ss, vv, p);
        }
    }
}

__attribute__((target("avx2,fma")))
static void hsv_lut_fma(uint8_t *img, int h, int w, const uint8_t *lut) {
    int lut32[768];
    for (int i = 0; i < 768; i++) lut32[i] = lut[i];
    hsv_lut_body(img, h, w, lut, lut32);
}
static void hsv_lut_soft(uint8_t *img, int h, int w, const uint8_t *lut) { hsv_lut_body(img, h, w, lut, NULL); }

void yk_hsv_lut_u8c3(uint8_t *img, int h, int w, const uint8_t *lut) {
    init_tables();
    if (yk_cpu_has_fma()) hsv_lut_fma(img, h, w, lut);
    else hsv_lut_soft(img, h, w, lut);
}

void yk_bgr_to_hsv_u8c3(const uint8_t *src, uint8_t *dst, int64_t n) {
    init_tables();
    for (int64_t i = 0; i < n; i++) {
        int hh, ss, vv;
        bgr_to_hsv(src + i * 3, &hh, &ss, &vv);
        dst[i * 3] = (uint8_t)hh; dst[i * 3 + 1] = (uint8_t)ss; dst[i * 3 + 2] = (uint8_t)vv;
    }
}

void yk_hsv_to_bgr_u8c3(const uint8_t *src, uint8_t *dst, int h, int w) {
    init_tables();
    int vend = w - w % HSV_BLOCK;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t o = ((size_t)y * w + x) * 3;
            if (x < vend) hsv_to_bgr_block(src[o], src[o + 1], src[o + 2], dst + o);
            else hsv_to_bgr_tail(src[o], src[o + 1], src[o + 2], dst + o);
        }
}

void yk_blend_u8(const uint8_t *a, const uint8_t *b, double r, uint8_t *out, int64_t n) {
    double q = 1.0 - r;
    for (int64_t i = 0; i < n; i++) {
        double pa = (double)a[i] * r, pb = (double)b[i] * q;
        out[i] = (uint8_t)(pa + pb);
    }
}

void yk_flip_horizontal_u8c3(uint8_t *img, int h, int w) {
    for (int y = 0; y < h; y++) {
        uint8_t *row = img + (size_t)y * w * 3;
        for (int l = 0, r = w - 1; l < r; l++, r--) {
            uint8_t *p = row + (size_t)l * 3, *q = row + (size_t)r * 3;
            uint8_t t0 = p[0], t1 = p[1], t2 = p[2];
            p[0] = q[0]; p[1] = q[1]; p[2] = q[2];
            q[0] = t0; q[1] = t1; q[2] = t2;
        }
    }
}
