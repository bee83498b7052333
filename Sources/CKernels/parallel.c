/* Range splits over the calling thread's OpenMP team (see parallel.h). */
#include "parallel.h"

struct yk_par { yk_range_fn fn; void *ctx; int64_t rows; };

static void yk_par_entry(void *p) {
    struct yk_par *a = p;
    int t = omp_get_thread_num(), n = omp_get_num_threads();
    int64_t per = (a->rows + n - 1) / n, r0 = t * per, r1 = r0 + per < a->rows ? r0 + per : a->rows;
    if (r0 < r1) a->fn(a->ctx, r0, r1, t);
}

void yk_parallel(int64_t rows, int nt, yk_range_fn fn, void *ctx) {
    struct yk_par a = {fn, ctx, rows};
    if (nt <= 1 || rows < 2) { fn(ctx, 0, rows, 0); return; }
    GOMP_parallel(yk_par_entry, &a, (unsigned)nt, 0);
}
