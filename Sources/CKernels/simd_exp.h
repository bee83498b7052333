/* e^x without library calls (private to CKernels): Cody–Waite reduction by ln 2 and Cephes' degree-6 polynomial,
   ~1 ulp from expf. yk_expf is the scalar form, written so that loops over it vectorize (training's SiLU loops);
   yk_exp8 the AVX2/FMA form on eight floats (yk_silu8 of the Winograd and 1x1 kernels, the head's DFL softmax), yk_exp16
   the AVX-512 form on sixteen (the bf16 1x1 kernel). */
#ifndef YK_SIMD_EXP_H
#define YK_SIMD_EXP_H
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#define YK_AVX2 __attribute__((target("avx2,fma")))

#define YK_LOG2E 1.44269504088896341f
#define YK_LN2_HI 0.693359375f
#define YK_LN2_LO -2.12194440e-4f
#define YK_EXP_P0 1.9875691500e-4f
#define YK_EXP_P1 1.3981999507e-3f
#define YK_EXP_P2 8.3334519073e-3f
#define YK_EXP_P3 4.1665795894e-2f
#define YK_EXP_P4 1.6666665459e-1f
#define YK_EXP_P5 5.0000001201e-1f

/* Inputs clamped to [-87, 88], so no inf or denormal appears. */
static inline float yk_expf(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = floorf(x * YK_LOG2E + 0.5f);
    float r = x - n * YK_LN2_HI - n * YK_LN2_LO;
    float p = YK_EXP_P0;
    p = p * r + YK_EXP_P1;
    p = p * r + YK_EXP_P2;
    p = p * r + YK_EXP_P3;
    p = p * r + YK_EXP_P4;
    p = p * r + YK_EXP_P5;
    p = p * r * r + r + 1.0f;
    union { int32_t i; float f; } u;
    u.i = ((int32_t)n + 127) << 23;
    return p * u.f;
}

/* Inputs clamped to [-87.3, 88.3], where the result is a normal float. */
YK_AVX2 static inline __m256 yk_exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(YK_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(YK_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(YK_LN2_LO), r);
    __m256 y = _mm256_set1_ps(YK_EXP_P0);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(YK_EXP_P1));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(YK_EXP_P2));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(YK_EXP_P3));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(YK_EXP_P4));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(YK_EXP_P5));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

/* yk_exp8 on sixteen floats (AVX-512F; the bf16 1x1 kernel's SiLU). */
#define YK_AVX512 __attribute__((target("avx512f")))
YK_AVX512 static inline __m512 yk_exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(YK_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(YK_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(YK_LN2_LO), r);
    __m512 y = _mm512_set1_ps(YK_EXP_P0);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(YK_EXP_P1));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(YK_EXP_P2));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(YK_EXP_P3));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(YK_EXP_P4));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(YK_EXP_P5));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(e));
}

/* Sum of the eight lanes. */
/* x / (1 + e^-x) on eight floats (the fused SiLU of the Winograd and 1x1 kernels). */
YK_AVX2 static inline __m256 yk_silu8(__m256 x) {
    __m256 den = _mm256_add_ps(_mm256_set1_ps(1.0f), yk_exp8(_mm256_sub_ps(_mm256_setzero_ps(), x)));
    return _mm256_div_ps(x, den);
}

YK_AVX2 static inline float yk_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Maximum of the eight lanes, in every lane. */
YK_AVX2 static inline __m256 yk_hmax8(__m256 v) {
    v = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
    v = _mm256_max_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm256_max_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
}

#endif
