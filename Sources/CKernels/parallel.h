/* libgomp's entry points and a range split over the calling thread's OpenMP team (private to CKernels). The Swift
   toolchain's clang has no OpenMP support of its own, so parallel regions call the runtime directly and share
   oneDNN's warm thread team. */
#ifndef YK_PARALLEL_H
#define YK_PARALLEL_H
#include <stdint.h>

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);
extern int omp_get_max_threads(void);
extern void omp_set_num_threads(int);

/* body(ctx, r0, r1, thread) for one contiguous share of [0, rows) per thread of a team of nt (at most one call per
   thread, so a body may take per-thread scratch); nt <= 1 or rows < 2 runs it once on the caller. */
typedef void (*yk_range_fn)(void *ctx, int64_t r0, int64_t r1, int thread);
void yk_parallel(int64_t rows, int nt, yk_range_fn fn, void *ctx);

#endif
