/* 1x1 stride-1 convolution on bf16 NHWC activations with AVX512_BF16 (vdpbf16ps): per image a GEMM of the pixels
   with the weights, float32 accumulation, then bias, SiLU and the result in bf16 (round to nearest even, as oneDNN's
   vcvtneps2bf16) or float32.

   Like the float32 1x1 and Winograd kernels its point is shape independence: it generates no code, so a new input
   shape creates nothing for it (oneDNN's brgconv_1x1 took 0.3-0.6 ms, some up to 4.6 ms, per layer and shape on a
   2-core Zen 4: 14 of the 29 bf16 primitives of a yolov8n-pose shape), and its weights are prepared once at warmup.
   Weights are [output block of 16][input channel pair][16][2] bf16, so one 64-byte load feeds 16 outputs x 2 inputs
   and a pixel's two input values are one 32-bit broadcast. The register tile is NP pixels x NO output blocks
   (6 x 4, 8 x 3, 12 x 2 or 12 x 1) in zmm accumulators. Work is split into chunks of pixels of one image (and output
   block groups on small maps); a chunk's source stays in cache while every output block group passes over it. */
#include "conv1x1_bf16.h"
#include "parallel.h"
#include "simd_exp.h"
#include <stdlib.h>
#include <string.h>

#define YK_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma")))
#define YK_C1B_CHUNK 96  /* pixels per work item (a multiple of 6, 8 and 12) */

struct yk_c1b {
    yk_conv_params p;
    int ob, pairs;   /* output blocks of 16, input channel pairs */
    uint16_t *w;     /* [ob][pairs][16][2] */
};

int yk_c1b_eligible(const yk_conv_params *p) {
    if (p->training || p->groups != 1 || p->kh != 1 || p->kw != 1 || p->sh != 1 || p->sw != 1) return 0;
    if (p->ph != 0 || p->pw != 0 || p->post_add || p->ic % 2 != 0 || p->oc % 16 != 0) return 0;
    return yk_conv_bf16_supported();  /* oneDNN's avx512_core_bf16: AVX512_BF16 with F, BW, VL and DQ */
}

yk_c1b *yk_c1b_create(const yk_conv_params *p) {
    if (!yk_c1b_eligible(p)) return NULL;
    yk_c1b *c = calloc(1, sizeof(yk_c1b));
    if (!c) return NULL;
    c->p = *p;
    c->ob = p->oc / 16;
    c->pairs = p->ic / 2;
    size_t bytes = (size_t)c->ob * c->pairs * 32 * sizeof(uint16_t);
    if (posix_memalign((void **)&c->w, 64, bytes ? bytes : 64) != 0) { free(c); return NULL; }
    memset(c->w, 0, bytes);
    return c;
}

void yk_c1b_destroy(yk_c1b *c) {
    if (!c) return;
    free(c->w);
    free(c);
}

int yk_c1b_set_weights(yk_c1b *c, const float *oihw) {
    const int ic = c->p.ic, oc = c->p.oc;
    uint16_t *tmp = malloc((size_t)oc * ic * sizeof(uint16_t));
    if (!tmp) return -1;
    yk_f32_to_bf16(oihw, tmp, (int64_t)oc * ic);  /* the rounding every bf16 path uses */
    for (int o = 0; o < oc; o++)
        for (int i = 0; i < ic; i++)
            c->w[(((size_t)(o / 16) * c->pairs + i / 2) * 16 + o % 16) * 2 + i % 2] = tmp[(size_t)o * ic + i];
    free(tmp);
    return 0;
}

int yk_c1b_copy_weights(yk_c1b *dst, const yk_c1b *src) {
    if (dst->p.ic != src->p.ic || dst->p.oc != src->p.oc) return -1;
    memcpy(dst->w, src->w, (size_t)dst->ob * dst->pairs * 32 * sizeof(uint16_t));
    return 0;
}

struct c1b_job {
    const yk_c1b *c;
    const uint16_t *src;
    const float *bias;  /* oc floats, zeros without a bias */
    void *dst;
    int64_t hw, chunks_per_image;
    int groups, blocks_per_group;  /* output blocks split into groups on small maps: item = (image, chunk, group) */
};

/* acc += NP pixels (from s, `ic` bf16 apart) x NO output blocks (from w, `wstride` bf16 apart), then the epilogue into
   dst (`oc` values per pixel). NP and NO are constants at every call, so the accumulators stay in registers. */
YK_BF16 static inline __attribute__((always_inline)) void tile(const struct c1b_job *j, const uint16_t *s,
                                                               const uint16_t *w, int o0, int64_t pix, int NP, int NO) {
    const yk_c1b *c = j->c;
    const int pairs = c->pairs, ic = c->p.ic, oc = c->p.oc;
    const size_t wstride = (size_t)pairs * 32;
    __m512 acc[12 * 4];
    for (int a = 0; a < NP * NO; a++) acc[a] = _mm512_setzero_ps();
    for (int k = 0; k < pairs; k++) {
        __m512bh wv[4];
        for (int o = 0; o < NO; o++) wv[o] = (__m512bh)_mm512_load_si512(w + o * wstride + (size_t)k * 32);
        for (int p = 0; p < NP; p++) {
            int32_t pair;
            memcpy(&pair, s + (size_t)p * ic + 2 * k, sizeof pair);
            __m512bh b = (__m512bh)_mm512_set1_epi32(pair);
            for (int o = 0; o < NO; o++) acc[p * NO + o] = _mm512_dpbf16_ps(acc[p * NO + o], b, wv[o]);
        }
    }
    for (int o = 0; o < NO; o++) {
        __m512 bias = _mm512_loadu_ps(j->bias + (o0 + o) * 16);
        for (int p = 0; p < NP; p++) {
            __m512 y = _mm512_add_ps(acc[p * NO + o], bias);
            if (c->p.post_silu) y = _mm512_div_ps(y, _mm512_add_ps(_mm512_set1_ps(1.0f), yk_exp16(_mm512_sub_ps(_mm512_setzero_ps(), y))));
            size_t at = (size_t)(pix + p) * oc + (size_t)(o0 + o) * 16;
            if (c->p.dst_bf16) _mm256_storeu_si256((__m256i *)((uint16_t *)j->dst + at), (__m256i)_mm512_cvtneps_pbh(y));
            else _mm512_storeu_ps((float *)j->dst + at, y);
        }
    }
}

/* Pixels [p0, p1) of one image for output blocks [b0, b1): NO blocks at a time, NP pixels at a time, the last pixels
   one at a time. */
YK_BF16 static void span(const struct c1b_job *j, const uint16_t *src, int64_t base, int64_t p0, int64_t p1, int b0,
                         int b1) {
    const yk_c1b *c = j->c;
    const int ic = c->p.ic;
    for (int o0 = b0; o0 < b1;) {
        int left = b1 - o0, NO = left >= 4 ? 4 : left;
        const uint16_t *w = c->w + (size_t)o0 * c->pairs * 32;
        int64_t p = p0;
        switch (NO) {
        case 4: for (; p + 6 <= p1; p += 6) tile(j, src + p * ic, w, o0, base + p, 6, 4); break;
        case 3: for (; p + 8 <= p1; p += 8) tile(j, src + p * ic, w, o0, base + p, 8, 3); break;
        case 2: for (; p + 12 <= p1; p += 12) tile(j, src + p * ic, w, o0, base + p, 12, 2); break;
        default: for (; p + 12 <= p1; p += 12) tile(j, src + p * ic, w, o0, base + p, 12, 1); break;
        }
        for (; p < p1; p++) {
            switch (NO) {
            case 4: tile(j, src + p * ic, w, o0, base + p, 1, 4); break;
            case 3: tile(j, src + p * ic, w, o0, base + p, 1, 3); break;
            case 2: tile(j, src + p * ic, w, o0, base + p, 1, 2); break;
            default: tile(j, src + p * ic, w, o0, base + p, 1, 1); break;
            }
        }
        o0 += NO;
    }
}

YK_BF16 static void c1b_items(void *arg, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    const struct c1b_job *j = arg;
    const yk_c1b *c = j->c;
    for (int64_t item = i0; item < i1; item++) {
        int group = (int)(item % j->groups);
        int64_t pc = item / j->groups;
        int64_t n = pc / j->chunks_per_image, p0 = (pc % j->chunks_per_image) * YK_C1B_CHUNK;
        int64_t p1 = p0 + YK_C1B_CHUNK < j->hw ? p0 + YK_C1B_CHUNK : j->hw;
        int b0 = group * j->blocks_per_group, b1 = b0 + j->blocks_per_group < c->ob ? b0 + j->blocks_per_group : c->ob;
        span(j, j->src + (size_t)n * j->hw * c->p.ic, n * j->hw, p0, p1, b0, b1);
    }
}

int yk_c1b_forward(const yk_c1b *c, const uint16_t *src, const float *bias, void *dst) {
    float zeros[c->p.oc];
    if (!(c->p.has_bias && bias)) { memset(zeros, 0, sizeof zeros); bias = zeros; }
    int64_t hw = (int64_t)c->p.ih * c->p.iw;
    struct c1b_job job = {c, src, bias, dst, hw, (hw + YK_C1B_CHUNK - 1) / YK_C1B_CHUNK, 1, c->ob};
    int threads = omp_get_max_threads();
    int64_t items = (int64_t)c->p.n * job.chunks_per_image;
    /* few pixel chunks (small maps) leave a thread idle for up to a chunk: split the output blocks too, in groups of
       at least four blocks (the widest tile) */
    while (threads > 1 && items * job.groups < 16 * (int64_t)threads && job.blocks_per_group >= 8) {
        job.groups *= 2;
        job.blocks_per_group = (c->ob + job.groups - 1) / job.groups;
    }
    job.groups = (c->ob + job.blocks_per_group - 1) / job.blocks_per_group;
    yk_parallel(items * job.groups, threads, c1b_items, &job);
    return 0;
}
