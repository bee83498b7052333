/* Tensor buffers, and heap housekeeping for long training runs. */
#include "ckernels.h"
#include <stdlib.h>
#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void yk_release_freed_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#define YK_HUGE_PAGE ((size_t)2 << 20)

size_t yk_buffer_capacity(size_t bytes) {
    if (bytes == 0) bytes = 64;
    size_t align = bytes >= YK_HUGE_PAGE ? YK_HUGE_PAGE : 64;
    size_t rounded = (bytes + align - 1) & ~(align - 1);
    return rounded < bytes ? 0 : rounded;
}

void *yk_buffer_alloc(size_t bytes, size_t *capacity) {
    void *p = NULL;
    size_t rounded = yk_buffer_capacity(bytes);
    if (rounded == 0) return NULL;
    size_t align = rounded >= YK_HUGE_PAGE ? YK_HUGE_PAGE : 64;
    if (posix_memalign(&p, align, rounded) != 0) return NULL;
#if defined(MADV_HUGEPAGE)
    if (align == YK_HUGE_PAGE) madvise(p, rounded, MADV_HUGEPAGE);
#endif
    *capacity = rounded;
    return p;
}

void yk_buffer_free(void *p) { free(p); }


/* Per-thread scratch buffers, grown on demand and kept: callers use one for the duration of a call (nothing survives
   between calls), so a fresh allocation per call, with its page faults, is avoided. */
#define YK_SCRATCH_SLOTS 4
static __thread void *t_scratch[YK_SCRATCH_SLOTS];
static __thread size_t t_scratch_size[YK_SCRATCH_SLOTS];

void *yk_thread_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot >= YK_SCRATCH_SLOTS) return NULL;
    if (bytes == 0) bytes = 64;
    if (t_scratch_size[slot] < bytes) {
        free(t_scratch[slot]);
        t_scratch[slot] = NULL;
        t_scratch_size[slot] = 0;
        if (posix_memalign(&t_scratch[slot], 64, bytes) != 0) { t_scratch[slot] = NULL; return NULL; }
        t_scratch_size[slot] = bytes;
    }
    return t_scratch[slot];
}
