/* 1x1 stride-1 convolution on bf16 NHWC activations with AVX512_BF16 (private to CKernels; dnnl_conv.c dispatches to
   it). */
#ifndef YK_CONV1X1_BF16_H
#define YK_CONV1X1_BF16_H
#include "ckernels.h"

typedef struct yk_c1b yk_c1b;

/* Whether this geometry and CPU can take the path: inference, groups 1, 1x1, stride 1, padding 0, no residual, an even
   number of input channels and output channels in blocks of 16, on a CPU with AVX512_BF16 (and BW, VL, DQ). */
int yk_c1b_eligible(const yk_conv_params *p);
yk_c1b *yk_c1b_create(const yk_conv_params *p);
void yk_c1b_destroy(yk_c1b *c);
/* Rounds plain OIHW float weights to bf16 and rearranges them into [oc / 16][ic / 2][16][2]. */
int yk_c1b_set_weights(yk_c1b *c, const float *oihw);
int yk_c1b_copy_weights(yk_c1b *dst, const yk_c1b *src);
/* dst = post_ops(conv(src) + bias), src bf16 NHWC, dst bf16 NHWC when p.dst_bf16 else float32 NHWC; bias may be NULL. */
int yk_c1b_forward(const yk_c1b *c, const uint16_t *src, const float *bias, void *dst);

#endif
