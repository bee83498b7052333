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

