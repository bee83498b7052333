/* Detection/pose head decode: DFL expectation, dist2bbox (xywh), sigmoid scores, keypoint decode.
   The head's outputs arrive NHWC or, on the blocked chain, nChw8c, read in place (converting the nine maps to NHWC
   first took ~0.6 ms of a ~27 ms yolov8n-pose forward on a 2-core Zen 4, on one thread). Rows of anchors are split between the OpenMP threads. With AVX2 the DFL softmax of
   reg_max 16 runs on two vectors (yk_exp8, ~1 ulp from expf; the sums are taken in another order, so distances move by
   ~1e-7 relative) and the keypoint coordinates eight channels at a time (the same float operations as the scalar form). */
#include "ckernels.h"
#include "parallel.h"
#include "simd_exp.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct decode_job {
    const float *box, *cls, *kpt;
    int64_t n, h, w;
    int reg_max, nc, nkpt, kdim, simd, blocked;
    const float *xmask;  /* per keypoint channel (rounded up to 8): all bits set where it is an x coordinate */
    const uint8_t *vis;  /* per keypoint channel: 1 where it is a visibility */
    float stride;
    float *out;
    int64_t total_anchors, a0;
};

/* Offset of channel c of pixel p of image b in a map of `channels` channels (NHWC or nChw8c). */
static inline int64_t offset(const struct decode_job *j, int64_t b, int64_t p, int64_t c, int64_t channels) {
    const int64_t hw = j->h * j->w;
    if (!j->blocked) return (b * hw + p) * channels + c;
    return ((b * ((channels + 7) / 8) + c / 8) * hw + p) * 8 + c % 8;
}

/* Expected distance of each side: softmax over reg_max bins, weighted by the bin index. */
static void dfl_scalar(const struct decode_job *j, int64_t b, int64_t p, float d[4]) {
    const int reg_max = j->reg_max, channels = 4 * reg_max;
    for (int side = 0; side < 4; side++) {
        const int c0 = side * reg_max;
        float m = j->box[offset(j, b, p, c0, channels)];
        for (int k = 1; k < reg_max; k++) {
            float z = j->box[offset(j, b, p, c0 + k, channels)];
            m = z > m ? z : m;
        }
        float sum = 0.f, acc = 0.f;
        for (int k = 0; k < reg_max; k++) {
            float e = expf(j->box[offset(j, b, p, c0 + k, channels)] - m);
            sum += e;
            acc += e * (float)k;
        }
        d[side] = acc / sum;
    }
}

/* Eight channels c0..c0+7 of pixel p (c0 a multiple of 8; lanes past `channels` zero). */
YK_AVX2 static inline __m256 load8(const struct decode_job *j, const float *map, int64_t b, int64_t p, int c0,
                                   int channels) {
    const float *at = map + offset(j, b, p, c0, channels);
    if (j->blocked || c0 + 8 <= channels) return _mm256_loadu_ps(at);
    float tail[8] = {0};
    memcpy(tail, at, (size_t)(channels - c0) * sizeof(float));
    return _mm256_loadu_ps(tail);
}

YK_AVX2 static void dfl16_avx2(const struct decode_job *j, int64_t b, int64_t p, float d[4]) {
    const __m256 i0 = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), i1 = _mm256_setr_ps(8, 9, 10, 11, 12, 13, 14, 15);
    for (int side = 0; side < 4; side++) {
        __m256 v0 = load8(j, j->box, b, p, side * 16, 64), v1 = load8(j, j->box, b, p, side * 16 + 8, 64);
        __m256 m = yk_hmax8(_mm256_max_ps(v0, v1));
        __m256 e0 = yk_exp8(_mm256_sub_ps(v0, m)), e1 = yk_exp8(_mm256_sub_ps(v1, m));
        float sum = yk_hsum8(_mm256_add_ps(e0, e1));
        float acc = yk_hsum8(_mm256_fmadd_ps(e0, i0, _mm256_mul_ps(e1, i1)));
        d[side] = acc / sum;
    }
}

/* Scores and keypoints of pixel p (cell ax, ay) into column a of ob, eight channels at a time. The sigmoids stay
   expf's: a random-init head's scores sit near the 0.001 confidence threshold, where yk_exp8's ulp would move
   detections in or out of what the reference keeps. */
YK_AVX2 static void scores_keypoints_avx2(const struct decode_job *j, int64_t b, int64_t p, float ax, float ay,
                                          float *ob, int64_t a) {
    const int64_t ta = j->total_anchors;
    const int nc = j->nc, nk = j->nkpt * j->kdim;
    float v[8] __attribute__((aligned(32))), y[8] __attribute__((aligned(32)));
    for (int c0 = 0; c0 < nc; c0 += 8) {
        _mm256_store_ps(v, load8(j, j->cls, b, p, c0, nc));
        for (int c = c0; c < nc && c < c0 + 8; c++) ob[(4 + c) * ta + a] = 1.0f / (1.0f + expf(-v[c - c0]));
    }
    const __m256 two = _mm256_set1_ps(2.0f), stride = _mm256_set1_ps(j->stride);
    const __m256 xoff = _mm256_set1_ps(ax - 0.5f), yoff = _mm256_set1_ps(ay - 0.5f);
    float *ok = ob + (4 + nc) * ta + a;
    for (int c0 = 0; c0 < nk; c0 += 8) {
        __m256 raw = load8(j, j->kpt, b, p, c0, nk);
        __m256 off = _mm256_blendv_ps(yoff, xoff, _mm256_load_ps(j->xmask + c0));
        _mm256_store_ps(y, _mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(raw, two), off), stride));
        _mm256_store_ps(v, raw);
        for (int c = c0; c < nk && c < c0 + 8; c++)
            ok[(int64_t)c * ta] = j->vis[c] ? 1.0f / (1.0f + expf(-v[c - c0])) : y[c - c0];
    }
}

static void scores_keypoints_scalar(const struct decode_job *j, int64_t b, int64_t p, float ax, float ay, float *ob,
                                    int64_t a) {
    const int64_t ta = j->total_anchors;
    const int nc = j->nc, nk = j->nkpt * j->kdim;
    for (int c = 0; c < nc; c++) ob[(4 + c) * ta + a] = 1.0f / (1.0f + expf(-j->cls[offset(j, b, p, c, nc)]));
    float *ok = ob + (4 + nc) * ta + a;
    for (int k = 0; k < j->nkpt; k++) {
        const int c = k * j->kdim;
        ok[(int64_t)c * ta] = (j->kpt[offset(j, b, p, c, nk)] * 2.0f + (ax - 0.5f)) * j->stride;
        ok[(int64_t)(c + 1) * ta] = (j->kpt[offset(j, b, p, c + 1, nk)] * 2.0f + (ay - 0.5f)) * j->stride;
        if (j->kdim == 3) ok[(int64_t)(c + 2) * ta] = 1.0f / (1.0f + expf(-j->kpt[offset(j, b, p, c + 2, nk)]));
    }
}

static void decode_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    const struct decode_job *j = ctx;
    const int64_t ta = j->total_anchors, w = j->w;
    const int64_t nch = 4 + j->nc + j->nkpt * j->kdim;
    const float stride = j->stride;
    for (int64_t row = r0; row < r1; row++) {  /* row = b * h + y */
        int64_t b = row / j->h, y = row % j->h;
        float *ob = j->out + b * nch * ta;
        for (int64_t x = 0; x < w; x++) {
            int64_t p = y * w + x, a = j->a0 + p;
            float d[4];
            if (j->simd && j->reg_max == 16) dfl16_avx2(j, b, p, d);
            else dfl_scalar(j, b, p, d);
            float ax = (float)x + 0.5f, ay = (float)y + 0.5f;
            float x1 = ax - d[0], y1 = ay - d[1], x2 = ax + d[2], y2 = ay + d[3];
            ob[0 * ta + a] = (x1 + x2) * 0.5f * stride;
            ob[1 * ta + a] = (y1 + y2) * 0.5f * stride;
            ob[2 * ta + a] = (x2 - x1) * stride;
            ob[3 * ta + a] = (y2 - y1) * stride;
            if (j->simd) scores_keypoints_avx2(j, b, p, ax, ay, ob, a);
            else scores_keypoints_scalar(j, b, p, ax, ay, ob, a);
        }
    }
}

void yk_decode_level(const float *box, const float *cls, const float *kpt, int blocked,
                     int64_t n, int64_t h, int64_t w, int reg_max, int nc, int nkpt, int kdim,
                     float stride, float *out, int64_t total_anchors, int64_t a0) {
    __builtin_cpu_init();
    int simd = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int nk = nkpt * kdim, nk8 = (nk + 7) / 8 * 8;
    float *xmask = NULL;
    uint8_t *vis = NULL;
    if (simd && nk > 0) {
        if (posix_memalign((void **)&xmask, 32, (size_t)nk8 * sizeof(float)) != 0) xmask = NULL;
        vis = malloc((size_t)nk8);
        if (!xmask || !vis) simd = 0;
        for (int c = 0; simd && c < nk8; c++) {
            uint32_t bits = c < nk && c % kdim == 0 ? 0xffffffffu : 0;
            memcpy(xmask + c, &bits, sizeof(float));
            vis[c] = c < nk && kdim == 3 && c % kdim == 2;
        }
    }
    struct decode_job j = {box, cls, kpt, n, h, w, reg_max, nc, nkpt, kdim, simd, blocked != 0,
                           xmask, vis, stride, out, total_anchors, a0};
    yk_parallel(n * h, n * h * w >= 1024 ? omp_get_max_threads() : 1, decode_rows, &j);
    free(xmask);
    free(vis);
}
