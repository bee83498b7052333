/* Heap housekeeping for long training runs. */
#include "ckernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void yk_release_freed_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
