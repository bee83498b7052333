/* Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions on nChw8c tensors, AVX2/FMA.

   Each 4x4 output tile comes from a 6x6 input patch: V = Bt d B (input transform), U = G g Gt (weights, once),
   M = sum over input channels of U * V at each of the 36 positions (36 small GEMMs), Y = At M A (output
   transform), then bias, SiLU and the residual. That is 36 multiply-adds per input/output channel pair for 16
   outputs instead of 144. The points are 0, +-1, +-2 (Lavin & Gray's F(4,3)); the transforms are exact in floating
   point up to rounding, the result differs from a direct convolution by a few ulp of the partial sums.

   Work is split into chunks of T tiles (T a multiple of 6, the GEMM kernel's tile count); each OpenMP thread takes a
   contiguous share of the chunks and transforms a chunk's input into its own V buffer, multiplies into its own M buffer and writes the chunk's
   outputs. Tiles past the last one are computed on zeros and not stored. */
#include "winograd.h"
#include "parallel.h"
#include "simd_exp.h"
#include <stdlib.h>
#include <string.h>

/* Bytes of V and M per chunk. Measured on a 2-core Zen 3 (512 KB L2) over yolov8n-pose's geometries: 128-192 KB
   best (ratios to oneDNN's blocked direct kernels 0.4-0.5, 0.55-0.6 at 16 channels), 64 and 256 KB a little slower. */
#define YK_WINO_BUDGET (128u << 10)

/* Transformed weights, shared by the convolutions of one layer at different input shapes (they are the same): a new
   shape takes a reference instead of allocating, zeroing and copying its own (~32 MB for yolov8n-pose, with their page
   faults); setting weights on a shared buffer first makes a private one. */
struct wino_weights {
    int refs;
    float *u;
};

struct yk_wino {
    yk_conv_params p;
    int cb, ob;       /* input / output channel blocks of 8 */
    int th, tw, nt;   /* tile rows, tile columns, tiles in the batch */
    struct wino_weights *ww;  /* NULL until weights are set or copied */
    int64_t plan;  /* plan_chunks' answer, packed (threads << 32 | T << 16 | groups; 0: none yet), read and written
                      atomically: forwards on several OS threads may share the convolution */
    float *u;         /* ww->u: [36][ob][cb * 8][8] transformed weights */
};

static size_t weight_bytes(const yk_wino *w) { return (size_t)36 * w->ob * w->cb * 64 * sizeof(float); }

static void release_weights(yk_wino *w) {
    if (w->ww && __atomic_sub_fetch(&w->ww->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(w->ww->u);
        free(w->ww);
    }
    w->ww = NULL;
    w->u = NULL;
}

/* A private buffer for this convolution's weights (weight_blocks writes all of it, zeros past ic included, on every
   thread: the page faults of a fresh buffer are split too). */
static int own_weights(yk_wino *w) {
    if (w->ww && __atomic_load_n(&w->ww->refs, __ATOMIC_ACQUIRE) == 1) return 0;
    release_weights(w);
    struct wino_weights *ww = calloc(1, sizeof *ww);
    if (!ww) return -1;
    if (posix_memalign((void **)&ww->u, 64, weight_bytes(w)) != 0) { free(ww); return -1; }
    ww->refs = 1;
    w->ww = ww;
    w->u = ww->u;
    return 0;
}

int yk_wino_eligible(const yk_conv_params *p) {
    if (p->training || p->groups != 1 || p->kh != 3 || p->kw != 3 || p->sh != 1 || p->sw != 1) return 0;
    if (p->ph != 1 || p->pw != 1 || p->dh != 1 || p->dw != 1) return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

yk_wino *yk_wino_create(const yk_conv_params *p) {
    if (!yk_wino_eligible(p)) return NULL;
    yk_wino *w = calloc(1, sizeof(yk_wino));
    if (!w) return NULL;
    w->p = *p;
    w->cb = (p->ic + 7) / 8;
    w->ob = (p->oc + 7) / 8;
    w->th = (p->ih + 3) / 4;
    w->tw = (p->iw + 3) / 4;
    w->nt = p->n * w->th * w->tw;
    return w;
}

void yk_wino_destroy(yk_wino *w) {
    if (!w) return;
    release_weights(w);
    free(w);
}

struct weight_job {
    yk_wino *w;
    const float *oihw;
};

/* U = G g Gt for output blocks [b0, b1) (float; a new shape copies U instead), on eight output
   channels at once: their 3x3 kernels for one input channel are gathered into nine vectors (zeros past oc). */
YK_AVX2 static void weight_blocks(void *arg, int64_t b0, int64_t b1, int thread) {
    static const float g[6][3] = {
        {1.0f / 4, 0, 0}, {-1.0f / 6, -1.0f / 6, -1.0f / 6}, {-1.0f / 6, 1.0f / 6, -1.0f / 6},
        {1.0f / 24, 1.0f / 12, 1.0f / 6}, {1.0f / 24, -1.0f / 12, 1.0f / 6}, {0, 0, 1}};
    const struct weight_job *job = arg;
    yk_wino *w = job->w;
    const int ic = w->p.ic, oc = w->p.oc, cin = w->cb * 8;
    const size_t qstride = (size_t)w->ob * cin * 8;
    (void)thread;
    for (int ob = (int)b0; ob < (int)b1; ob++) {
        for (int i = 0; i < ic; i++) {
            float kt[9][8] __attribute__((aligned(32)));
            for (int j = 0; j < 8; j++) {
                int o = ob * 8 + j;
                for (int r = 0; r < 9; r++) kt[r][j] = o < oc ? job->oihw[((size_t)o * ic + i) * 9 + r] : 0.0f;
            }
            __m256 k[9], gk[6][3];
            for (int r = 0; r < 9; r++) k[r] = _mm256_load_ps(kt[r]);
            for (int a = 0; a < 6; a++)
                for (int c = 0; c < 3; c++)
                    gk[a][c] = _mm256_fmadd_ps(_mm256_set1_ps(g[a][0]), k[c],
                               _mm256_fmadd_ps(_mm256_set1_ps(g[a][1]), k[3 + c],
                                               _mm256_mul_ps(_mm256_set1_ps(g[a][2]), k[6 + c])));
            float *u = w->u + ((size_t)ob * cin + i) * 8;
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++)
                    _mm256_store_ps(u + (a * 6 + b) * qstride,
                                    _mm256_fmadd_ps(gk[a][0], _mm256_set1_ps(g[b][0]),
                                    _mm256_fmadd_ps(gk[a][1], _mm256_set1_ps(g[b][1]),
                                                    _mm256_mul_ps(gk[a][2], _mm256_set1_ps(g[b][2])))));
        }
        for (int i = ic; i < cin; i++)  /* the padded input channels */
            for (int q = 0; q < 36; q++) _mm256_store_ps(w->u + q * qstride + ((size_t)ob * cin + i) * 8, _mm256_setzero_ps());
    }
}

int yk_wino_set_weights(yk_wino *w, const float *oihw) {
    if (own_weights(w) != 0) return -1;
    struct weight_job job = {w, oihw};
    yk_parallel(w->ob, omp_get_max_threads(), weight_blocks, &job);
    return 0;
}

int yk_wino_copy_weights(yk_wino *dst, const yk_wino *src) {
    if (dst->p.ic != src->p.ic || dst->p.oc != src->p.oc || !src->ww) return -1;
    if (dst->ww == src->ww) return 0;
    __atomic_add_fetch(&src->ww->refs, 1, __ATOMIC_ACQ_REL);
    release_weights(dst);
    dst->ww = src->ww;
    dst->u = src->u;
    return 0;
}

/* ---- transforms ---- */

/* Bt applied to six vectors (a column or a row of the patch). */
YK_AVX2 static inline void bt6(const __m256 d[6], __m256 t[6]) {
    const __m256 four = _mm256_set1_ps(4.0f), five = _mm256_set1_ps(5.0f), two = _mm256_set1_ps(2.0f);
    __m256 a = _mm256_sub_ps(d[4], d[2]);              /* d4 - d2 */
    __m256 b = _mm256_sub_ps(d[3], d[1]);              /* d3 - d1 */
    __m256 c = _mm256_fnmadd_ps(four, d[2], d[4]);     /* d4 - 4 d2 */
    __m256 e = _mm256_fnmadd_ps(four, d[1], d[3]);     /* d3 - 4 d1 */
    t[0] = _mm256_fnmadd_ps(five, d[2], _mm256_fmadd_ps(four, d[0], d[4]));
    t[1] = _mm256_add_ps(c, e);
    t[2] = _mm256_sub_ps(c, e);
    t[3] = _mm256_fmadd_ps(two, b, a);
    t[4] = _mm256_fnmadd_ps(two, b, a);
    t[5] = _mm256_fnmadd_ps(five, d[3], _mm256_fmadd_ps(four, d[1], d[5]));
}

/* At applied to six vectors. */
YK_AVX2 static inline void at6(const __m256 m[6], __m256 o[4]) {
    const __m256 two = _mm256_set1_ps(2.0f), four = _mm256_set1_ps(4.0f), eight = _mm256_set1_ps(8.0f);
    __m256 s12 = _mm256_add_ps(m[1], m[2]), d12 = _mm256_sub_ps(m[1], m[2]);
    __m256 s34 = _mm256_add_ps(m[3], m[4]), d34 = _mm256_sub_ps(m[3], m[4]);
    o[0] = _mm256_add_ps(_mm256_add_ps(m[0], s12), s34);
    o[1] = _mm256_fmadd_ps(two, d34, d12);
    o[2] = _mm256_fmadd_ps(four, s34, s12);
    o[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, d34, d12), m[5]);
}

/* Input transform of tile g for every input channel block into V[36][T][cin] at column t. */
YK_AVX2 static void input_tile(const yk_wino *w, const float *src, int64_t g, int t, int T, float *v) {
    const int h = w->p.ih, wd = w->p.iw, cin = w->cb * 8;
    if (g >= w->nt) {
        for (int q = 0; q < 36; q++) memset(v + ((size_t)q * T + t) * cin, 0, (size_t)cin * sizeof(float));
        return;
    }
    int64_t per = (int64_t)w->th * w->tw;
    int n = (int)(g / per), rem = (int)(g % per);
    int y0 = (rem / w->tw) * 4 - 1, x0 = (rem % w->tw) * 4 - 1;
    int inside = y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= wd;
    for (int k = 0; k < w->cb; k++) {
        const float *base = src + ((size_t)(n * w->cb + k) * h) * wd * 8;
        __m256 tmp[6][6];
        for (int j = 0; j < 6; j++) {  /* columns: Bt over the six rows */
            __m256 d[6], t6[6];
            int x = x0 + j;
            for (int i = 0; i < 6; i++) {
                int y = y0 + i;
                d[i] = (inside || (y >= 0 && y < h && x >= 0 && x < wd))
                           ? _mm256_loadu_ps(base + ((size_t)y * wd + x) * 8) : _mm256_setzero_ps();
            }
            bt6(d, t6);
            for (int i = 0; i < 6; i++) tmp[i][j] = t6[i];
        }
        for (int i = 0; i < 6; i++) {  /* rows: Bt over the six columns */
            __m256 r6[6];
            bt6(tmp[i], r6);
            for (int j = 0; j < 6; j++) _mm256_storeu_ps(v + ((size_t)(i * 6 + j) * T + t) * cin + k * 8, r6[j]);
        }
    }
}

/* M[ob][t][36][8] for six tiles from t0 and two output blocks (u0, u1 = U[q][ob], U[q][ob+1]). */
YK_AVX2 static void gemm_6x2(const float *v, int cin, const float *u0, const float *u1, float *m0, float *m1) {
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
    __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
    const float *v0 = v, *v1 = v + cin, *v2 = v + 2 * cin, *v3 = v + 3 * cin, *v4 = v + 4 * cin, *v5 = v + 5 * cin;
    for (int c = 0; c < cin; c++) {
        __m256 x0 = _mm256_load_ps(u0 + c * 8), x1 = _mm256_load_ps(u1 + c * 8), b;
        b = _mm256_broadcast_ss(v0 + c); a00 = _mm256_fmadd_ps(b, x0, a00); a01 = _mm256_fmadd_ps(b, x1, a01);
        b = _mm256_broadcast_ss(v1 + c); a10 = _mm256_fmadd_ps(b, x0, a10); a11 = _mm256_fmadd_ps(b, x1, a11);
        b = _mm256_broadcast_ss(v2 + c); a20 = _mm256_fmadd_ps(b, x0, a20); a21 = _mm256_fmadd_ps(b, x1, a21);
        b = _mm256_broadcast_ss(v3 + c); a30 = _mm256_fmadd_ps(b, x0, a30); a31 = _mm256_fmadd_ps(b, x1, a31);
        b = _mm256_broadcast_ss(v4 + c); a40 = _mm256_fmadd_ps(b, x0, a40); a41 = _mm256_fmadd_ps(b, x1, a41);
        b = _mm256_broadcast_ss(v5 + c); a50 = _mm256_fmadd_ps(b, x0, a50); a51 = _mm256_fmadd_ps(b, x1, a51);
    }
    const int s = 36 * 8;  /* from one tile to the next in M */
    _mm256_store_ps(m0, a00); _mm256_store_ps(m0 + s, a10); _mm256_store_ps(m0 + 2 * s, a20);
    _mm256_store_ps(m0 + 3 * s, a30); _mm256_store_ps(m0 + 4 * s, a40); _mm256_store_ps(m0 + 5 * s, a50);
    _mm256_store_ps(m1, a01); _mm256_store_ps(m1 + s, a11); _mm256_store_ps(m1 + 2 * s, a21);
    _mm256_store_ps(m1 + 3 * s, a31); _mm256_store_ps(m1 + 4 * s, a41); _mm256_store_ps(m1 + 5 * s, a51);
}

/* The same for one output block. */
YK_AVX2 static void gemm_6x1(const float *v, int cin, const float *u0, float *m0) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (int c = 0; c < cin; c++) {
        __m256 x0 = _mm256_load_ps(u0 + c * 8);
        a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + c), x0, a0);
        a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + cin + c), x0, a1);
        a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 2 * cin + c), x0, a2);
        a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 3 * cin + c), x0, a3);
        a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 4 * cin + c), x0, a4);
        a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 5 * cin + c), x0, a5);
    }
    const int s = 36 * 8;
    _mm256_store_ps(m0, a0); _mm256_store_ps(m0 + s, a1); _mm256_store_ps(m0 + 2 * s, a2);
    _mm256_store_ps(m0 + 3 * s, a3); _mm256_store_ps(m0 + 4 * s, a4); _mm256_store_ps(m0 + 5 * s, a5);
}

/* The same for four output blocks (24 accumulators: only with AVX-512VL's 32 vector registers; 8-float vectors, as on
   Zen 4's 256-bit units). U's blocks are cin * 8 floats apart, M's T * 36 * 8. */
#define YK_AVX512VL __attribute__((target("avx2,fma,avx512f,avx512vl")))
YK_AVX512VL static void gemm_6x4(const float *v, int cin, const float *u0, float *m0, size_t mstride) {
    __m256 acc[24];
    for (int a = 0; a < 24; a++) acc[a] = _mm256_setzero_ps();
    const float *u1 = u0 + (size_t)cin * 8, *u2 = u1 + (size_t)cin * 8, *u3 = u2 + (size_t)cin * 8;
    for (int c = 0; c < cin; c++) {
        __m256 x0 = _mm256_load_ps(u0 + c * 8), x1 = _mm256_load_ps(u1 + c * 8);
        __m256 x2 = _mm256_load_ps(u2 + c * 8), x3 = _mm256_load_ps(u3 + c * 8);
        for (int t = 0; t < 6; t++) {
            __m256 b = _mm256_broadcast_ss(v + t * cin + c);
            acc[4 * t] = _mm256_fmadd_ps(b, x0, acc[4 * t]);
            acc[4 * t + 1] = _mm256_fmadd_ps(b, x1, acc[4 * t + 1]);
            acc[4 * t + 2] = _mm256_fmadd_ps(b, x2, acc[4 * t + 2]);
            acc[4 * t + 3] = _mm256_fmadd_ps(b, x3, acc[4 * t + 3]);
        }
    }
    for (int t = 0; t < 6; t++)
        for (int q = 0; q < 4; q++) _mm256_store_ps(m0 + q * mstride + (size_t)t * 36 * 8, acc[4 * t + q]);
}

/* Output transform of tile g (column t of M) for output blocks k0..<k1 (M holds those blocks only), with bias,
   SiLU and residual. */
YK_AVX2 static void output_tile(const yk_wino *w, const float *m, int64_t g, int t, int T, int k0, int k1,
                                const float *bias, const float *residual, float *dst) {
    const int h = w->p.ih, wd = w->p.iw;
    int64_t per = (int64_t)w->th * w->tw;
    int n = (int)(g / per), rem = (int)(g % per);
    int y0 = (rem / w->tw) * 4, x0 = (rem % w->tw) * 4;
    int rows = h - y0 < 4 ? h - y0 : 4, cols = wd - x0 < 4 ? wd - x0 : 4;
    for (int k = k0; k < k1; k++) {
        const float *mt = m + ((size_t)(k - k0) * T + t) * 36 * 8;
        __m256 tmp[4][6];
        for (int j = 0; j < 6; j++) {  /* columns */
            __m256 c6[6], o4[4];
            for (int i = 0; i < 6; i++) c6[i] = _mm256_load_ps(mt + (i * 6 + j) * 8);
            at6(c6, o4);
            for (int i = 0; i < 4; i++) tmp[i][j] = o4[i];
        }
        __m256 b = _mm256_load_ps(bias + k * 8);
        size_t plane = (size_t)(n * w->ob + k) * h;
        for (int i = 0; i < rows; i++) {
            __m256 o4[4];
            at6(tmp[i], o4);
            for (int j = 0; j < cols; j++) {
                size_t at = ((plane + y0 + i) * wd + x0 + j) * 8;
                __m256 y = _mm256_add_ps(o4[j], b);
                if (w->p.post_silu) y = yk_silu8(y);
                if (w->p.post_add) y = _mm256_add_ps(y, _mm256_loadu_ps(residual + at));
                _mm256_storeu_ps(dst + at, y);
            }
        }
    }
}

struct wino_job {
    const yk_wino *w;
    const float *src, *bias, *residual;
    float *dst;
    int T, chunks, failed;
    int groups, pairs_per_group;  /* output block pairs split into groups: item = (chunk, group) */
};

/* Items [i0, i1) (chunk i / groups, output block group i % groups), on this thread's V and M buffers; `quads`: four
   output blocks at a time where they fit (gemm_6x4), else two. */
YK_AVX2 static inline void wino_range(struct wino_job *job, int64_t i0, int64_t i1, int quads) {
    const yk_wino *w = job->w;
    const int T = job->T, cin = w->cb * 8;
    float *v = yk_thread_scratch(2, (size_t)36 * T * cin * sizeof(float));
    float *m = yk_thread_scratch(3, (size_t)36 * T * 4 * 8 * sizeof(float));
    if (!v || !m) { __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED); return; }
    for (int64_t item = i0; item < i1; item++) {
        int64_t chunk = item / job->groups, g0 = chunk * T;
        int k0 = (int)(item % job->groups) * job->pairs_per_group * 2, k1 = k0 + job->pairs_per_group * 2;
        if (k1 > w->ob) k1 = w->ob;
        int used = w->nt - g0 < T ? (int)(w->nt - g0 + 5) / 6 * 6 : T;  /* the last chunk may be shorter */
        /* the chunk's input once per item: consecutive items of one chunk on one thread could share it, but few
           chunks (where groups > 1) are small maps, whose transform is cheap next to the GEMM */
        for (int t = 0; t < used; t++) input_tile(w, job->src, g0 + t, t, T, v);
        /* two output blocks at a time: their M stays small while the chunk's V is reused from cache */
        for (int k = k0; k < k1; k += 2) {
            if (quads && k + 4 <= k1) {
                for (int q = 0; q < 36; q++) {
                    const float *vq = v + (size_t)q * T * cin, *uq = w->u + ((size_t)q * w->ob + k) * cin * 8;
                    for (int t = 0; t < used; t += 6)
                        gemm_6x4(vq + (size_t)t * cin, cin, uq, m + ((size_t)t * 36 + q) * 8, (size_t)T * 36 * 8);
                }
                for (int t = 0; t < used && g0 + t < w->nt; t++)
                    output_tile(w, m, g0 + t, t, T, k, k + 4, job->bias, job->residual, job->dst);
                k += 2;  /* with the loop's own step: four blocks */
                continue;
            }
            int pair = k + 1 < w->ob;
            for (int q = 0; q < 36; q++) {
                const float *vq = v + (size_t)q * T * cin, *uq = w->u + ((size_t)q * w->ob + k) * cin * 8;
                for (int t = 0; t < used; t += 6) {
                    float *m0 = m + ((size_t)t * 36 + q) * 8;
                    if (pair) gemm_6x2(vq + (size_t)t * cin, cin, uq, uq + (size_t)cin * 8, m0, m0 + (size_t)T * 36 * 8);
                    else gemm_6x1(vq + (size_t)t * cin, cin, uq, m0);
                }
            }
            for (int t = 0; t < used && g0 + t < w->nt; t++)
                output_tile(w, m, g0 + t, t, T, k, k + 1 + pair, job->bias, job->residual, job->dst);
        }
    }
}

YK_AVX2 static void wino_chunks(void *arg, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    wino_range(arg, i0, i1, 0);
}

YK_AVX512VL static void wino_chunks_wide(void *arg, int64_t i0, int64_t i1, int thread) {
    (void)thread;
    wino_range(arg, i0, i1, 1);
}

/* Tiles per chunk and output block groups. V and M of a chunk stay within the budget (T <= 96, a multiple of 6). On a
   large map every T gives enough chunks and the largest wins (U reused most); on a small one (P5's 20x20 is 25 tiles)
   chunks of 6 are coarse enough that one thread idles for a fifth of the layer, so the output blocks are split too.
   The choice minimises the slowest thread's estimated cycles: per tile, an input transform per input block (~150) and
   per output block the GEMM (36 x 8 FMAs per input block, two per cycle) and the output transform (~150). */
static void plan_chunks(const yk_wino *w, int threads, int *T, int *groups) {
    size_t per_tile = (size_t)36 * (w->cb + 2) * 8 * sizeof(float);
    int tmax = (int)((YK_WINO_BUDGET) / per_tile) / 6 * 6;
    if (tmax < 6) tmax = 6;
    if (tmax > 96) tmax = 96;
    const int pairs = (w->ob + 1) / 2;
    double best = -1;
    *T = 6;
    *groups = 1;
    for (int t = 6; t <= tmax; t += 6) {
        int64_t chunks = (w->nt + t - 1) / t;
        for (int g = 1; g <= pairs; g *= 2) {
            int ppg = (pairs + g - 1) / g, gs = (pairs + ppg - 1) / ppg;
            int64_t items = chunks * gs, per_thread = (items + threads - 1) / threads;
            double item = (double)t * (150.0 * w->cb + 2.0 * ppg * (144.0 * w->cb + 150.0));
            double cost = (double)per_thread * item;
            /* ties go to the larger T; a split must win clearly (its repeated input transforms cost more than this
               estimate: measured 7 % slower at 128->64 on 40x40 for an estimated 0.5 % gain) */
            if (best < 0 || cost <= best * (gs > 1 ? 0.97 : 1.0001)) { best = cost; *T = t; *groups = gs; }
            if (threads <= 1) break;
        }
        if (chunks < threads) break;  /* larger chunks only idle more threads */
    }
}

int yk_wino_forward(const yk_wino *w, const float *src, const float *bias, const float *residual, float *dst) {
    if (!w->u) return -1;
    float padded[w->ob * 8] __attribute__((aligned(32)));  /* bias, zero past oc so padded channels stay zero */
    memset(padded, 0, sizeof padded);
    if (w->p.has_bias && bias) memcpy(padded, bias, (size_t)w->p.oc * sizeof(float));
    int threads = omp_get_max_threads();
    if (threads < 1) threads = 1;
    struct wino_job job = {w, src, padded, residual, dst, 6, 0, 0, 1, 1};
    /* planned once per thread count, not per forward */
    int64_t *slot = (int64_t *)&w->plan, plan = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if ((int)(plan >> 32) != threads) {
        int T, groups;
        plan_chunks(w, threads, &T, &groups);
        plan = (int64_t)threads << 32 | (int64_t)T << 16 | groups;
        __atomic_store_n(slot, plan, __ATOMIC_RELAXED);
    }
    job.T = (int)(plan >> 16 & 0xffff);
    job.groups = (int)(plan & 0xffff);
    job.chunks = (int)((w->nt + job.T - 1) / job.T);
    job.pairs_per_group = ((w->ob + 1) / 2 + job.groups - 1) / job.groups;
    int wide = yk_conv_wide_kernels();
    yk_parallel((int64_t)job.chunks * job.groups, threads, wide ? wino_chunks_wide : wino_chunks, &job);
    return job.failed ? -1 : 0;
}
