/* Winograd F(4x4, 3x3) convolution on nChw8c tensors (private to CKernels; dnnl_conv.c dispatches to it). */
#ifndef YK_WINOGRAD_H
#define YK_WINOGRAD_H
#include "ckernels.h"

typedef struct yk_wino yk_wino;

/* Whether this geometry and CPU can take the Winograd path: inference, groups 1, 3x3, stride 1, padding 1, no
   dilation, on a CPU with AVX2 and FMA. */
int yk_wino_eligible(const yk_conv_params *p);
yk_wino *yk_wino_create(const yk_conv_params *p);
void yk_wino_destroy(yk_wino *w);
/* Transforms plain OIHW weights (G g G^T per output/input channel pair). */
int yk_wino_set_weights(yk_wino *w, const float *oihw);
/* Shares src's transformed weights (same channels; -1 otherwise): no copy, until either sets new weights. */
int yk_wino_copy_weights(yk_wino *dst, const yk_wino *src);
/* dst = post_ops(conv(src) + bias): src, dst and the residual (post_add) are nChw8c; bias may be NULL when the
   convolution has none. Channels past oc in dst are written as zeros. */
int yk_wino_forward(const yk_wino *w, const float *src, const float *bias, const float *residual, float *dst);

#endif
