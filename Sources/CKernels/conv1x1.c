/* 1x1 stride-1 convolution on nChw8c tensors, AVX2/FMA: per image a GEMM of the pixels (rows) with the weights,
   dst[k][p][0..8) = post_ops(bias + sum over input channels c of src[c / 8][p][c % 8] * W[k][c][0..8)).

   Its point is not speed but shape independence: like the Winograd kernel it needs no oneDNN primitive, so a new input
   shape costs nothing to set up (oneDNN generates code per shape: 0.5-1.4 ms per 1x1 primitive, most of a new
   letterbox shape's cost in the blocked layout). The kernel is the Winograd GEMM's: 6 pixels x 2 output blocks in 12
   accumulators, one broadcast per pixel and input channel. Work is split into chunks of pixels of one image; a chunk's
   source (pixels x input channels) stays in cache while every output block pair passes over it. */
#include "conv1x1.h"
#include "parallel.h"
#include "simd_exp.h"
#include <stdlib.h>
#include <string.h>

#define YK_C1_CHUNK 96  /* pixels per work item (a multiple of 6) */

struct yk_c1 {
    yk_conv_params p;
    int cb, ob;   /* input / output channel blocks of 8 */
    float *w;     /* [ob][cb * 8][8] */
};

int yk_c1_eligible(const yk_conv_params *p) {
    if (p->training || p->groups != 1 || p->kh != 1 || p->kw != 1 || p->sh != 1 || p->sw != 1) return 0;
    if (p->ph != 0 || p->pw != 0) return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

yk_c1 *yk_c1_create(const yk_conv_params *p) {
    if (!yk_c1_eligible(p)) return NULL;
    yk_c1 *c = calloc(1, sizeof(yk_c1));
    if (!c) return NULL;
    c->p = *p;
    c->cb = (p->ic + 7) / 8;
    c->ob = (p->oc + 7) / 8;
    size_t bytes = (size_t)c->ob * c->cb * 64 * sizeof(float);
    if (posix_memalign((void **)&c->w, 64, bytes) != 0) { free(c); return NULL; }
    memset(c->w, 0, bytes);
    return c;
}

void yk_c1_destroy(yk_c1 *c) {
    if (!c) return;
    free(c->w);
    free(c);
}

int yk_c1_set_weights(yk_c1 *c, const float *oihw) {
    const int ic = c->p.ic, oc = c->p.oc, cin = c->cb * 8;
    for (int o = 0; o < oc; o++)
        for (int i = 0; i < ic; i++) c->w[((size_t)(o / 8) * cin + i) * 8 + o % 8] = oihw[(size_t)o * ic + i];
    return 0;
}

int yk_c1_copy_weights(yk_c1 *dst, const yk_c1 *src) {
    if (dst->p.ic != src->p.ic || dst->p.oc != src->p.oc) return -1;
    memcpy(dst->w, src->w, (size_t)dst->ob * dst->cb * 64 * sizeof(float));
    return 0;
}

/* acc[t][0..1] += src pixels t (stride 8 floats apart within a block plane of `plane` floats) x two weight blocks. */
YK_AVX2 static inline void gemm_6x2(const float *s, size_t plane, int cb, const float *w0, const float *w1,
                                    __m256 acc[12]) {
    for (int c = 0; c < cb; c++, s += plane) {
        for (int j = 0; j < 8; j++) {
            __m256 u0 = _mm256_load_ps(w0 + (c * 8 + j) * 8), u1 = _mm256_load_ps(w1 + (c * 8 + j) * 8);
            for (int t = 0; t < 6; t++) {
                __m256 b = _mm256_broadcast_ss(s + t * 8 + j);
                acc[2 * t] = _mm256_fmadd_ps(b, u0, acc[2 * t]);
                acc[2 * t + 1] = _mm256_fmadd_ps(b, u1, acc[2 * t + 1]);
            }
        }
    }
}

/* The same for four weight blocks (24 accumulators: only with AVX-512VL's 32 vector registers; measured on Zen 4, where
   AVX-512 runs on 256-bit units, as 8-float vectors: fewer loads per multiply-add than two blocks). w0's blocks are
   `wstride` floats apart. */
#define YK_AVX512VL __attribute__((target("avx2,fma,avx512f,avx512vl")))
YK_AVX512VL static void gemm_6x4(const float *s, size_t plane, int cb, const float *w0, size_t wstride, __m256 out[24]) {
    __m256 acc[24];
    for (int a = 0; a < 24; a++) acc[a] = _mm256_setzero_ps();
    const float *w1 = w0 + wstride, *w2 = w1 + wstride, *w3 = w2 + wstride;
    for (int c = 0; c < cb; c++, s += plane) {
        for (int j = 0; j < 8; j++) {
            size_t at = (size_t)(c * 8 + j) * 8;
            __m256 u0 = _mm256_load_ps(w0 + at), u1 = _mm256_load_ps(w1 + at);
            __m256 u2 = _mm256_load_ps(w2 + at), u3 = _mm256_load_ps(w3 + at);
            for (int t = 0; t < 6; t++) {
                __m256 b = _mm256_broadcast_ss(s + t * 8 + j);
                acc[4 * t] = _mm256_fmadd_ps(b, u0, acc[4 * t]);
                acc[4 * t + 1] = _mm256_fmadd_ps(b, u1, acc[4 * t + 1]);
                acc[4 * t + 2] = _mm256_fmadd_ps(b, u2, acc[4 * t + 2]);
                acc[4 * t + 3] = _mm256_fmadd_ps(b, u3, acc[4 * t + 3]);
            }
        }
    }
    for (int a = 0; a < 24; a++) out[a] = acc[a];
}

struct c1_job {
    const yk_c1 *c;
    const float *src, *bias, *residual;
    float *dst;
    int64_t hw, chunks_per_image;
    int groups, pairs_per_group;  /* output block pairs split into groups: item = (image, pixel chunk, group) */
    int failed;
};

/* Bias, SiLU, residual and the store of one output block for `np` pixels starting at pixel p. */
YK_AVX2 static inline void finish(const yk_c1 *c, __m256 *acc, int stride, __m256 b, const float *residual, float *dst,
                                  int np) {
    for (int t = 0; t < np; t++) {
        __m256 y = _mm256_add_ps(acc[t * stride], b);
        if (c->p.post_silu) y = yk_silu8(y);
        if (c->p.post_add) y = _mm256_add_ps(y, _mm256_loadu_ps(residual + t * 8));
        _mm256_storeu_ps(dst + t * 8, y);
    }
}

/* Items [i0, i1); `quads`: four output blocks at a time where they fit (gemm_6x4), else pairs. */
YK_AVX2 static inline void c1_range(struct c1_job *job, int64_t i0, int64_t i1, int quads) {
    const yk_c1 *c = job->c;
    const int cin = c->cb * 8;
    const int64_t hw = job->hw;
    /* the last group of an image, zero-padded to 6 pixels */
    float *tail = yk_thread_scratch(2, (size_t)c->cb * 6 * 8 * sizeof(float));
    if (!tail) { __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED); return; }
    for (int64_t item = i0; item < i1; item++) {
        int group = (int)(item % job->groups);
        int64_t pc = item / job->groups;
        int64_t n = pc / job->chunks_per_image, p0 = (pc % job->chunks_per_image) * YK_C1_CHUNK;
        int k0 = group * job->pairs_per_group * 2, k1 = k0 + job->pairs_per_group * 2;
        if (k1 > c->ob) k1 = c->ob;
        int64_t p1 = p0 + YK_C1_CHUNK < hw ? p0 + YK_C1_CHUNK : hw;
        const float *src = job->src + (size_t)n * c->cb * hw * 8;
        /* four output blocks at a time where they fit (quads), else two, the last one alone */
        for (int k = k0; k < k1;) {
            int blocks = quads && k + 4 <= k1 ? 4 : k + 1 < c->ob ? 2 : 1, stride = blocks == 4 ? 4 : 2;
            const float *w0 = c->w + (size_t)k * cin * 8;
            for (int64_t p = p0; p < p1; p += 6) {
                int np = p1 - p < 6 ? (int)(p1 - p) : 6;
                const float *s = src + p * 8;
                size_t plane = (size_t)hw * 8;
                if (np < 6) {
                    memset(tail, 0, (size_t)c->cb * 48 * sizeof(float));
                    for (int cb = 0; cb < c->cb; cb++) memcpy(tail + cb * 48, src + cb * plane + p * 8, (size_t)np * 32);
                    s = tail;
                    plane = 48;
                }
                __m256 acc[24];
                if (blocks == 4) {
                    gemm_6x4(s, plane, c->cb, w0, (size_t)cin * 8, acc);
                } else {
                    for (int a = 0; a < 12; a++) acc[a] = _mm256_setzero_ps();
                    gemm_6x2(s, plane, c->cb, w0, blocks == 2 ? w0 + (size_t)cin * 8 : w0, acc);
                }
                for (int q = 0; q < blocks; q++) {
                    size_t at = ((size_t)(n * c->ob + k + q) * hw + p) * 8;
                    finish(c, acc + q, stride, _mm256_load_ps(job->bias + (k + q) * 8),
                           job->residual ? job->residual + at : NULL, job->dst + at, np);
                }
            }
            k += blocks;
        }
    }
}

YK_AVX2 static void c1_items(void *arg, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    c1_range(arg, i0, i1, 0);
}

YK_AVX512VL static void c1_items_wide(void *arg, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    c1_range(arg, i0, i1, 1);
}

int yk_c1_forward(const yk_c1 *c, const float *src, const float *bias, const float *residual, float *dst) {
    float padded[c->ob * 8 + 8] __attribute__((aligned(32)));  /* bias, zero past oc so padded channels stay zero */
    memset(padded, 0, sizeof padded);
    if (c->p.has_bias && bias) memcpy(padded, bias, (size_t)c->p.oc * sizeof(float));
    int64_t hw = (int64_t)c->p.ih * c->p.iw;
    struct c1_job job = {c, src, padded, c->p.post_add ? residual : NULL, dst, hw,
                         (hw + YK_C1_CHUNK - 1) / YK_C1_CHUNK, 1, (c->ob + 1) / 2, 0};
    int threads = omp_get_max_threads();
    int64_t items = (int64_t)c->p.n * job.chunks_per_image;
    /* few pixel chunks (small maps) leave a thread idle for up to a chunk: split the output blocks too */
    int pairs = (c->ob + 1) / 2;
    while (threads > 1 && items * job.groups < 16 * (int64_t)threads && job.groups * 2 <= pairs) job.groups *= 2;
    job.pairs_per_group = (pairs + job.groups - 1) / job.groups;
    job.groups = (pairs + job.pairs_per_group - 1) / job.pairs_per_group;
    items *= job.groups;
    int wide = yk_conv_wide_kernels();
    yk_parallel(items, threads, wide ? c1_items_wide : c1_items, &job);
    return job.failed ? -1 : 0;
}
