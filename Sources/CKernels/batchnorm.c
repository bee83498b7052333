/* Batch normalization in training mode over NHWC rows × channels, and the SiLU loops training uses, vectorized:
   per-channel statistics accumulate in float over blocks of rows and in double across blocks; row ranges are split
   over the OpenMP threads of the calling thread. */
#include "ckernels.h"
#include "parallel.h"
#include "simd_exp.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define YK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define BLOCK 64

/* Sums of x and x² of rows [r0, r1) per channel, added to the double accumulators. */
YK_CLONES static void stats_range(const float *x, int64_t r0, int64_t r1, int64_t c, double *sum, double *sq,
                                  float *ps, float *pq) {
    for (int64_t b = r0; b < r1; b += BLOCK) {
        int64_t e = b + BLOCK < r1 ? b + BLOCK : r1;
        for (int64_t j = 0; j < c; j++) { ps[j] = 0; pq[j] = 0; }
        for (int64_t r = b; r < e; r++) {
            const float *xr = x + r * c;
            for (int64_t j = 0; j < c; j++) { ps[j] += xr[j]; pq[j] += xr[j] * xr[j]; }
        }
        for (int64_t j = 0; j < c; j++) { sum[j] += ps[j]; sq[j] += pq[j]; }
    }
}

YK_CLONES static void normalize_range(const float *x, int64_t r0, int64_t r1, int64_t c, const float *mean,
                                      const float *invstd, const float *gamma, const float *beta, float *xhat, float *y) {
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * c;
        float *hr = xhat + r * c, *yr = y + r * c;
        for (int64_t j = 0; j < c; j++) {
            float h = (xr[j] - mean[j]) * invstd[j];
            hr[j] = h;
            yr[j] = h * gamma[j] + beta[j];
        }
    }
}

struct stats_ctx { const float *x; int64_t c; double *acc; float *tmp; };
static void stats_task(void *p, int64_t r0, int64_t r1, int t) {
    struct stats_ctx *a = p;
    stats_range(a->x, r0, r1, a->c, a->acc + 2 * t * a->c, a->acc + (2 * t + 1) * a->c, a->tmp + 2 * t * a->c,
                a->tmp + (2 * t + 1) * a->c);
}
struct norm_ctx { const float *x; int64_t c; const float *mean, *invstd, *gamma, *beta; float *xhat, *y; };
static void normalize_task(void *p, int64_t r0, int64_t r1, int t) {
    struct norm_ctx *a = p;
    (void)t;
    normalize_range(a->x, r0, r1, a->c, a->mean, a->invstd, a->gamma, a->beta, a->xhat, a->y);
}

/* Batch mean, biased variance and 1/sqrt(var + eps) per channel over `rows` rows; returns the thread count used. */
static int batch_stats(const float *x, int64_t rows, int64_t c, float eps, float *mean, float *var, float *invstd) {
    int nt = omp_get_max_threads();
    if (nt < 1) nt = 1;
    double *acc = calloc((size_t)(2 * nt * c), sizeof(double));
    float *tmp = malloc((size_t)(2 * nt * c) * sizeof(float));
    struct stats_ctx sctx = {x, c, acc, tmp};
    yk_parallel(rows, nt, stats_task, &sctx);
    for (int64_t j = 0; j < c; j++) {
        double s = 0, q = 0;
        for (int t = 0; t < nt; t++) { s += acc[2 * t * c + j]; q += acc[(2 * t + 1) * c + j]; }
        double m = s / (double)rows, v = q / (double)rows - m * m;
        mean[j] = (float)m;
        var[j] = (float)(v > 0 ? v : 0);
        invstd[j] = 1.0f / sqrtf(var[j] + eps);
    }
    free(acc);
    free(tmp);
    return nt;
}

void yk_bn_train_forward(const float *x, int64_t rows, int64_t c, const float *gamma, const float *beta, float eps,
                         float *mean, float *var, float *invstd, float *xhat, float *y) {
    int nt = batch_stats(x, rows, c, eps, mean, var, invstd);
    struct norm_ctx nctx = {x, c, mean, invstd, gamma, beta, xhat, y};
    yk_parallel(rows, nt, normalize_task, &nctx);
}

YK_CLONES static void grad_sums_range(const float *xhat, const float *g, int64_t r0, int64_t r1, int64_t c,
                                      double *sg, double *sgh, float *ps, float *pq) {
    for (int64_t b = r0; b < r1; b += BLOCK) {
        int64_t e = b + BLOCK < r1 ? b + BLOCK : r1;
        for (int64_t j = 0; j < c; j++) { ps[j] = 0; pq[j] = 0; }
        for (int64_t r = b; r < e; r++) {
            const float *hr = xhat + r * c, *gr = g + r * c;
            for (int64_t j = 0; j < c; j++) { ps[j] += gr[j]; pq[j] += gr[j] * hr[j]; }
        }
        for (int64_t j = 0; j < c; j++) { sg[j] += ps[j]; sgh[j] += pq[j]; }
    }
}

YK_CLONES static void dx_range(const float *xhat, const float *g, int64_t r0, int64_t r1, int64_t c, const float *k,
                               const float *sg, const float *sgh, float nf, float *dx) {
    for (int64_t r = r0; r < r1; r++) {
        const float *hr = xhat + r * c, *gr = g + r * c;
        float *dr = dx + r * c;
        for (int64_t j = 0; j < c; j++) dr[j] = k[j] * (nf * gr[j] - sg[j] - hr[j] * sgh[j]);
    }
}

struct gs_ctx { const float *xhat, *g; int64_t c; double *acc; float *tmp; };
static void grad_sums_task(void *p, int64_t r0, int64_t r1, int t) {
    struct gs_ctx *a = p;
    grad_sums_range(a->xhat, a->g, r0, r1, a->c, a->acc + 2 * t * a->c, a->acc + (2 * t + 1) * a->c,
                    a->tmp + 2 * t * a->c, a->tmp + (2 * t + 1) * a->c);
}
struct dx_ctx { const float *xhat, *g; int64_t c; const float *k, *sg, *sgh; float nf; float *dx; };
static void dx_task(void *p, int64_t r0, int64_t r1, int t) {
    struct dx_ctx *a = p;
    (void)t;
    dx_range(a->xhat, a->g, r0, r1, a->c, a->k, a->sg, a->sgh, a->nf, a->dx);
}

/* Per-channel Σg and Σg·x̂ from the threads' partial sums: the bias and weight gradients, and the dx factor
   k = γ/(N·std). */
static void finish_grad_sums(const double *acc, int nt, int64_t c, float nf, const float *gamma, const float *invstd,
                             float *k, float *sg, float *sgh, float *dgamma, float *dbeta) {
    for (int64_t j = 0; j < c; j++) {
        double s = 0, q = 0;
        for (int t = 0; t < nt; t++) { s += acc[2 * t * c + j]; q += acc[(2 * t + 1) * c + j]; }
        sg[j] = (float)s;
        sgh[j] = (float)q;
        dbeta[j] = sg[j];
        dgamma[j] = sgh[j];
        k[j] = gamma[j] * invstd[j] / nf;
    }
}

void yk_bn_train_backward(const float *xhat, const float *g, int64_t rows, int64_t c, const float *gamma,
                          const float *invstd, float *dx, float *dgamma, float *dbeta) {
    int nt = omp_get_max_threads();
    if (nt < 1) nt = 1;
    double *acc = calloc((size_t)(2 * nt * c), sizeof(double));
    float *tmp = malloc((size_t)(2 * nt * c) * sizeof(float));
    float *k = malloc((size_t)(3 * c) * sizeof(float));
    struct gs_ctx gctx = {xhat, g, c, acc, tmp};
    yk_parallel(rows, nt, grad_sums_task, &gctx);
    float *sg = k + c, *sgh = k + 2 * c;
    float nf = (float)rows;
    finish_grad_sums(acc, nt, c, nf, gamma, invstd, k, sg, sgh, dgamma, dbeta);
    if (dx) {
        struct dx_ctx dctx = {xhat, g, c, k, sg, sgh, nf, dx};
        yk_parallel(rows, nt, dx_task, &dctx);
    }
    free(acc);
    free(tmp);
    free(k);
}

YK_CLONES static void silu_range(const float *x, float *y, int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) y[i] = x[i] / (1.0f + yk_expf(-x[i]));
}

YK_CLONES static void silu_backward_range(const float *x, const float *dy, float *dx, int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
        float s = 1.0f / (1.0f + yk_expf(-x[i]));
        dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
    }
}

struct silu_ctx { const float *x, *dy; float *out; };
static void silu_task(void *p, int64_t i0, int64_t i1, int t) {
    struct silu_ctx *a = p;
    (void)t;
    if (a->dy) silu_backward_range(a->x, a->dy, a->out, i0, i1); else silu_range(a->x, a->out, i0, i1);
}

void yk_silu(const float *x, float *y, int64_t n) {
    struct silu_ctx a = {x, NULL, y};
    yk_parallel(n, n > 65536 ? omp_get_max_threads() : 1, silu_task, &a);
}

void yk_silu_backward(const float *x, const float *dy, float *dx, int64_t n) {
    struct silu_ctx a = {x, dy, dx};
    yk_parallel(n, n > 65536 ? omp_get_max_threads() : 1, silu_task, &a);
}

/* BatchNorm (batch statistics) followed by SiLU as one training op that keeps only its input for backward: the
   normalized value and the SiLU input are recomputed from x, mean and 1/std with the same float operations as the
   separate ops, so results are bit-identical to batch norm then SiLU while two activation-sized buffers fewer stay
   alive until backward. */
YK_CLONES static void normalize_silu_range(const float *x, int64_t r0, int64_t r1, int64_t c, const float *mean,
                                           const float *invstd, const float *gamma, const float *beta, float *y) {
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * c;
        float *yr = y + r * c;
        for (int64_t j = 0; j < c; j++) {
            float z = (xr[j] - mean[j]) * invstd[j] * gamma[j] + beta[j];
            yr[j] = z / (1.0f + yk_expf(-z));
        }
    }
}

struct nsilu_ctx { const float *x; int64_t c; const float *mean, *invstd, *gamma, *beta; float *y; };
static void normalize_silu_task(void *p, int64_t r0, int64_t r1, int t) {
    struct nsilu_ctx *a = p;
    (void)t;
    normalize_silu_range(a->x, r0, r1, a->c, a->mean, a->invstd, a->gamma, a->beta, a->y);
}

void yk_bn_silu_train_forward(const float *x, int64_t rows, int64_t c, const float *gamma, const float *beta,
                              float eps, float *mean, float *var, float *invstd, float *y) {
    int nt = batch_stats(x, rows, c, eps, mean, var, invstd);
    struct nsilu_ctx nctx = {x, c, mean, invstd, gamma, beta, y};
    yk_parallel(rows, nt, normalize_silu_task, &nctx);
}

/* Pass 1: dz = dy·SiLU'(z) written to dz, per-channel sums of dz and dz·x̂ in blocks. */
YK_CLONES static void silu_grad_sums_range(const float *x, const float *g, int64_t r0, int64_t r1, int64_t c,
                                           const float *mean, const float *invstd, const float *gamma,
                                           const float *beta, float *dz, double *sg, double *sgh, float *ps, float *pq) {
    for (int64_t b = r0; b < r1; b += BLOCK) {
        int64_t e = b + BLOCK < r1 ? b + BLOCK : r1;
        for (int64_t j = 0; j < c; j++) { ps[j] = 0; pq[j] = 0; }
        for (int64_t r = b; r < e; r++) {
            const float *xr = x + r * c, *gr = g + r * c;
            float *dr = dz + r * c;
            for (int64_t j = 0; j < c; j++) {
                float h = (xr[j] - mean[j]) * invstd[j];
                float z = h * gamma[j] + beta[j];
                float s = 1.0f / (1.0f + yk_expf(-z));
                float d = gr[j] * s * (1.0f + z * (1.0f - s));
                dr[j] = d;
                ps[j] += d;
                pq[j] += d * h;
            }
        }
        for (int64_t j = 0; j < c; j++) { sg[j] += ps[j]; sgh[j] += pq[j]; }
    }
}

/* Pass 2: dx = k·(N·dz − Σdz − x̂·Σdz·x̂), in place over dz. */
YK_CLONES static void silu_dx_range(const float *x, int64_t r0, int64_t r1, int64_t c, const float *mean,
                                    const float *invstd, const float *k, const float *sg, const float *sgh, float nf,
                                    float *dx) {
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * c;
        float *dr = dx + r * c;
        for (int64_t j = 0; j < c; j++) {
            float h = (xr[j] - mean[j]) * invstd[j];
            dr[j] = k[j] * (nf * dr[j] - sg[j] - h * sgh[j]);
        }
    }
}

struct sgs_ctx { const float *x, *g; int64_t c; const float *mean, *invstd, *gamma, *beta; float *dz; double *acc; float *tmp; };
static void silu_grad_sums_task(void *p, int64_t r0, int64_t r1, int t) {
    struct sgs_ctx *a = p;
    silu_grad_sums_range(a->x, a->g, r0, r1, a->c, a->mean, a->invstd, a->gamma, a->beta, a->dz,
                         a->acc + 2 * t * a->c, a->acc + (2 * t + 1) * a->c, a->tmp + 2 * t * a->c,
                         a->tmp + (2 * t + 1) * a->c);
}
struct sdx_ctx { const float *x; int64_t c; const float *mean, *invstd, *k, *sg, *sgh; float nf; float *dx; };
static void silu_dx_task(void *p, int64_t r0, int64_t r1, int t) {
    struct sdx_ctx *a = p;
    (void)t;
    silu_dx_range(a->x, r0, r1, a->c, a->mean, a->invstd, a->k, a->sg, a->sgh, a->nf, a->dx);
}

void yk_bn_silu_train_backward(const float *x, const float *g, int64_t rows, int64_t c, const float *gamma,
                               const float *beta, const float *mean, const float *invstd, float *dx, float *dgamma,
                               float *dbeta) {
    int nt = omp_get_max_threads();
    if (nt < 1) nt = 1;
    double *acc = calloc((size_t)(2 * nt * c), sizeof(double));
    float *tmp = malloc((size_t)(2 * nt * c) * sizeof(float));
    float *k = malloc((size_t)(3 * c) * sizeof(float));
    float *dz = dx ? dx : malloc((size_t)(rows * c) * sizeof(float));
    struct sgs_ctx gctx = {x, g, c, mean, invstd, gamma, beta, dz, acc, tmp};
    yk_parallel(rows, nt, silu_grad_sums_task, &gctx);
    float *sg = k + c, *sgh = k + 2 * c;
    float nf = (float)rows;
    finish_grad_sums(acc, nt, c, nf, gamma, invstd, k, sg, sgh, dgamma, dbeta);
    if (dx) {
        struct sdx_ctx dctx = {x, c, mean, invstd, k, sg, sgh, nf, dx};
        yk_parallel(rows, nt, silu_dx_task, &dctx);
    } else {
        free(dz);
    }
    free(acc);
    free(tmp);
    free(k);
}
