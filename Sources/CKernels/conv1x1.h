/* 1x1 stride-1 convolution on nChw8c tensors (private to CKernels; dnnl_conv.c dispatches to it). */
#ifndef YK_CONV1X1_H
#define YK_CONV1X1_H
#include "ckernels.h"

typedef struct yk_c1 yk_c1;

/* Whether this geometry and CPU can take the path: inference, groups 1, 1x1, stride 1, padding 0, on a CPU with AVX2
   and FMA. */
int yk_c1_eligible(const yk_conv_params *p);
yk_c1 *yk_c1_create(const yk_conv_params *p);
void yk_c1_destroy(yk_c1 *c);
/* Rearranges plain OIHW weights into [ob][ic rounded to 8][8] (zeros past ic and oc). */
int yk_c1_set_weights(yk_c1 *c, const float *oihw);
int yk_c1_copy_weights(yk_c1 *dst, const yk_c1 *src);
/* dst = post_ops(conv(src) + bias) on nChw8c src, dst and residual; bias may be NULL. Channels past oc are zeros. */
int yk_c1_forward(const yk_c1 *c, const float *src, const float *bias, const float *residual, float *dst);

#endif
