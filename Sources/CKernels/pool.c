/* Max pooling and nearest upsampling on NHWC buffers. */
#include "ckernels.h"
#include "parallel.h"
#include <math.h>
#include <string.h>

#define YK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

/* Stride 1 (SPPF's 5x5 pools): a row pass into `tmp` (h x ow x c), then a column pass: 2k comparisons per output
   instead of k^2, the same maxima and the same NaN handling (a NaN input never wins). About 2x faster than the
   direct loop on 20x20 blocks of 8 channels (Zen 3). */
YK_CLONES static void maxpool_s1(const float *restrict x, float *restrict y, int64_t n, int64_t h, int64_t w,
                                 int64_t c, int k, int p, int64_t oh, int64_t ow, float *restrict tmp) {
    for (int64_t b = 0; b < n; b++) {
        const float *xb = x + b * h * w * c;
        float *yb = y + b * oh * ow * c;
        for (int64_t iy = 0; iy < h; iy++)
            for (int64_t ox = 0; ox < ow; ox++) {
                int64_t x0 = ox - p, x1 = x0 + k;
                if (x0 < 0) x0 = 0;
                if (x1 > w) x1 = w;
                float *t = tmp + (iy * ow + ox) * c;
                for (int64_t j = 0; j < c; j++) t[j] = -INFINITY;
                for (int64_t ix = x0; ix < x1; ix++) {
                    const float *in = xb + (iy * w + ix) * c;
                    for (int64_t j = 0; j < c; j++) t[j] = in[j] > t[j] ? in[j] : t[j];
                }
            }
        for (int64_t oy = 0; oy < oh; oy++) {
            int64_t y0 = oy - p, y1 = y0 + k;
            if (y0 < 0) y0 = 0;
            if (y1 > h) y1 = h;
            float *out = yb + oy * ow * c;
            for (int64_t j = 0; j < ow * c; j++) out[j] = -INFINITY;
            for (int64_t iy = y0; iy < y1; iy++) {
                const float *t = tmp + iy * ow * c;
                for (int64_t j = 0; j < ow * c; j++) out[j] = t[j] > out[j] ? t[j] : out[j];
            }
        }
    }
}

struct pool_job {
    const float *x;
    float *y;
    int64_t h, w, c, oh, ow;
    int k, p, failed;
};

/* Images [b0, b1) of a stride-1 pool, each thread with its own row-pass buffer. */
static void maxpool_s1_images(void *arg, int64_t b0, int64_t b1, int thread) {
    (void)thread;
    struct pool_job *j = arg;
    float *tmp = yk_thread_scratch(2, (size_t)(j->h * j->ow * j->c) * sizeof(float));
    if (!tmp) { __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED); return; }
    maxpool_s1(j->x + b0 * j->h * j->w * j->c, j->y + b0 * j->oh * j->ow * j->c, b1 - b0, j->h, j->w, j->c, j->k, j->p,
               j->oh, j->ow, tmp);
}

YK_CLONES void yk_maxpool(const float *x, float *y, int64_t n, int64_t h, int64_t w, int64_t c,
                          int k, int s, int p, int64_t oh, int64_t ow) {
    if (s == 1 && oh == h + 2 * p - k + 1 && ow == w + 2 * p - k + 1) {
        /* images (blocks of 8 channels in the blocked layout) over the threads from 16k values (SPPF at 20x20: 51k) */
        struct pool_job job = {x, y, h, w, c, oh, ow, k, p, 0};
        yk_parallel(n, n * oh * ow * c >= (16 << 10) ? omp_get_max_threads() : 1, maxpool_s1_images, &job);
        if (!job.failed) return;
    }
    for (int64_t b = 0; b < n; b++) {
        const float *xb = x + b * h * w * c;
        float *yb = y + b * oh * ow * c;
        for (int64_t oy = 0; oy < oh; oy++) {
            int64_t y0 = oy * s - p, y1 = y0 + k;
            if (y0 < 0) y0 = 0;
            if (y1 > h) y1 = h;
            for (int64_t ox = 0; ox < ow; ox++) {
                int64_t x0 = ox * s - p, x1 = x0 + k;
                if (x0 < 0) x0 = 0;
                if (x1 > w) x1 = w;
                float *out = yb + (oy * ow + ox) * c;
                for (int64_t j = 0; j < c; j++) out[j] = -INFINITY;
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        const float *in = xb + (iy * w + ix) * c;
                        for (int64_t j = 0; j < c; j++) out[j] = in[j] > out[j] ? in[j] : out[j];
                    }
            }
        }
    }
}

struct up_job {
    const float *x;
    float *y;
    int64_t h, w, c;
    int f;
};

/* Input rows [r0, r1) of every image (row r = image r / h, row r % h): each pixel repeated f times along the row,
   the row repeated f times. Eight channels (a block of the blocked layout, or an 8-channel image) move as one vector. */
YK_CLONES static void upsample_rows(void *arg, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    const struct up_job *j = arg;
    const int64_t w = j->w, c = j->c, ow = w * j->f;
    const int f = j->f;
    for (int64_t r = r0; r < r1; r++) {
        float *row = j->y + r * f * ow * c;
        const float *in = j->x + r * w * c;
        if (c == 8) {
            for (int64_t ix = 0; ix < w; ix++)
                for (int fx = 0; fx < f; fx++)
                    for (int k = 0; k < 8; k++) row[(ix * f + fx) * 8 + k] = in[ix * 8 + k];
        } else {
            for (int64_t ix = 0; ix < w; ix++)
                for (int fx = 0; fx < f; fx++) memcpy(row + (ix * f + fx) * c, in + ix * c, (size_t)c * sizeof(float));
        }
        for (int fy = 1; fy < f; fy++) memcpy(row + fy * ow * c, row, (size_t)(ow * c) * sizeof(float));
    }
}

void yk_upsample_nearest(const float *x, float *y, int64_t n, int64_t h, int64_t w, int64_t c, int f) {
    struct up_job job = {x, y, h, w, c, f};
    int64_t out_floats = n * h * w * c * f * f;
    /* threads from 256 KB of output: below that the team's wake-up costs more than the copy */
    yk_parallel(n * h, out_floats >= (64 << 10) ? omp_get_max_threads() : 1, upsample_rows, &job);
}
