/* What oneDNN reports about itself, for `yolo checks`. */
#include <oneapi/dnnl/dnnl.h>

#include "ckernels.h"

void yk_dnnl_version(int *major, int *minor, int *patch) {
    const dnnl_version_t *v = dnnl_version();
    *major = v->major;
    *minor = v->minor;
    *patch = v->patch;
}

int yk_dnnl_effective_isa(void) { return (int)dnnl_get_effective_cpu_isa(); }
