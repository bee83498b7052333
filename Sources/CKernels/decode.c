/* Detection/pose head decode: DFL expectation, dist2bbox (xywh), sigmoid scores, keypoint decode.
   Rows of anchors are split between the OpenMP threads; with AVX2 the DFL softmax of reg_max 16 runs on two vectors
   (yk_exp8, ~1 ulp from expf; the sums are taken in another order, so distances move by ~1e-7 relative). */
#include "ckernels.h"
#include "parallel.h"
#include "simd_exp.h"
#include <math.h>

struct decode_job {
    const float *box, *cls, *kpt;
    int64_t n, h, w;
    int reg_max, nc, nkpt, kdim, simd;
    float stride;
    float *out;
    int64_t total_anchors, a0;
};

/* Expected distance of each side: softmax over reg_max bins, weighted by the bin index. */
static void dfl_scalar(const float *bl, int reg_max, float d[4]) {
    for (int side = 0; side < 4; side++) {
        const float *z = bl + side * reg_max;
        float m = z[0];
        for (int j = 1; j < reg_max; j++) m = z[j] > m ? z[j] : m;
        float sum = 0.f, acc = 0.f;
        for (int j = 0; j < reg_max; j++) {
            float e = expf(z[j] - m);
            sum += e;
            acc += e * (float)j;
        }
        d[side] = acc / sum;
    }
}

YK_AVX2 static void dfl16_avx2(const float *bl, float d[4]) {
    const __m256 i0 = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), i1 = _mm256_setr_ps(8, 9, 10, 11, 12, 13, 14, 15);
    for (int side = 0; side < 4; side++) {
        __m256 v0 = _mm256_loadu_ps(bl + side * 16), v1 = _mm256_loadu_ps(bl + side * 16 + 8);
        __m256 m = yk_hmax8(_mm256_max_ps(v0, v1));
        __m256 e0 = yk_exp8(_mm256_sub_ps(v0, m)), e1 = yk_exp8(_mm256_sub_ps(v1, m));
        float sum = yk_hsum8(_mm256_add_ps(e0, e1));
        float acc = yk_hsum8(_mm256_fmadd_ps(e0, i0, _mm256_mul_ps(e1, i1)));
        d[side] = acc / sum;
    }
}

static void decode_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    const struct decode_job *j = ctx;
    const int64_t ta = j->total_anchors, w = j->w;
    const int nc = j->nc, nk = j->nkpt * j->kdim, reg_max = j->reg_max;
    const int64_t nch = 4 + nc + nk;
    const float stride = j->stride;
    for (int64_t row = r0; row < r1; row++) {  /* row = b * h + y */
        int64_t b = row / j->h, y = row % j->h;
        float *ob = j->out + b * nch * ta;
        for (int64_t x = 0; x < w; x++) {
            int64_t pix = row * w + x;
            int64_t a = j->a0 + y * w + x;
            float d[4];
            if (j->simd) dfl16_avx2(j->box + pix * 4 * 16, d);
            else dfl_scalar(j->box + pix * 4 * reg_max, reg_max, d);
            float ax = (float)x + 0.5f, ay = (float)y + 0.5f;
            float x1 = ax - d[0], y1 = ay - d[1], x2 = ax + d[2], y2 = ay + d[3];
            ob[0 * ta + a] = (x1 + x2) * 0.5f * stride;
            ob[1 * ta + a] = (y1 + y2) * 0.5f * stride;
            ob[2 * ta + a] = (x2 - x1) * stride;
            ob[3 * ta + a] = (y2 - y1) * stride;
            const float *cl = j->cls + pix * nc;
            for (int c = 0; c < nc; c++) ob[(4 + c) * ta + a] = 1.0f / (1.0f + expf(-cl[c]));
            if (nk > 0) {
                const float *kp = j->kpt + pix * nk;
                float *ok = ob + (4 + nc) * ta + a;
                for (int k = 0; k < j->nkpt; k++) {
                    const float *r = kp + k * j->kdim;
                    ok[(k * j->kdim + 0) * ta] = (r[0] * 2.0f + (ax - 0.5f)) * stride;
                    ok[(k * j->kdim + 1) * ta] = (r[1] * 2.0f + (ay - 0.5f)) * stride;
                    if (j->kdim == 3) ok[(k * j->kdim + 2) * ta] = 1.0f / (1.0f + expf(-r[2]));
                }
            }
        }
    }
}

void yk_decode_level(const float *box, const float *cls, const float *kpt,
                     int64_t n, int64_t h, int64_t w, int reg_max, int nc, int nkpt, int kdim,
                     float stride, float *out, int64_t total_anchors, int64_t a0) {
    __builtin_cpu_init();
    struct decode_job j = {box, cls, kpt, n, h, w, reg_max, nc, nkpt, kdim,
                           reg_max == 16 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"),
                           stride, out, total_anchors, a0};
    yk_parallel(n * h, n * h * w >= 1024 ? omp_get_max_threads() : 1, decode_rows, &j);
}
