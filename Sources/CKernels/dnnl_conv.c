/* oneDNN 2.6 convolution wrapper: one object per (geometry, post-ops), weights reordered once. */
#include "ckernels.h"
#include "parallel.h"
#include "conv1x1.h"
#include "conv1x1_bf16.h"
#include "winograd.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dnnl_engine_t g_engine;
static dnnl_stream_t g_stream;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_init_status = 0;

/* Flush-to-zero and denormals-are-zero (MXCSR bits 15 and 6). SiLU of large negative inputs lands in
   the denormal range, where x86 arithmetic is ~100x slower; values below 1.2e-38 do not matter to the
   network. The OpenMP workers run only oneDNN code and CKernels' own parallel loops (Winograd, decode, copies,
   batch norm), so they keep the mode; the calling thread gets it only for the duration of each primitive (the
   caller's own float code, e.g. parsing, must keep denormals). */
static inline unsigned int mxcsr_get(void) {
    unsigned int csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    return csr;
}

static inline void mxcsr_set(unsigned int csr) { __asm__ volatile("ldmxcsr %0" : : "m"(csr)); }

static void set_ftz_daz(void *unused) {
    (void)unused;
    mxcsr_set(mxcsr_get() | 0x8040u);
}

/* Enters FTZ/DAZ on the calling thread; returns the mode to restore. */
static inline unsigned int ftz_enter(void) {
    unsigned int old = mxcsr_get();
    mxcsr_set(old | 0x8040u);
    return old;
}

void yk_flush_denormals(void) {
    unsigned int old = mxcsr_get();
    GOMP_parallel(set_ftz_daz, NULL, 0, 0);
    mxcsr_set(old);
}

static void init_engine(void) {
    yk_flush_denormals();
    if (dnnl_engine_create(&g_engine, dnnl_cpu, 0) != dnnl_success) { g_init_status = -1; return; }
    if (dnnl_stream_create(&g_stream, g_engine, dnnl_stream_default_flags) != dnnl_success) g_init_status = -1;
}

struct yk_conv {
    yk_conv_params p;
    int oh, ow;
    dnnl_memory_desc_t src_md, wei_user_md, bias_md, dst_md, wei_md;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    void *wei;            /* weights in the primitive's layout */
    size_t wei_size;
    char impl[128];
    /* training: created on first backward */
    dnnl_primitive_desc_t bwd_d_pd, bwd_w_pd;
    dnnl_primitive_t bwd_d, bwd_w;
    dnnl_memory_desc_t bwd_d_wei_md, bwd_w_dwei_md;
    void *bwd_wbuf, *bwd_dwbuf;  /* backward-data weights and backward-weights result, kept between steps */
    /* blocked mode (see prefers_blocked): the primitive runs on nChw8c copies of src and dst */
    int blocked;
    dnnl_memory_desc_t src_blk_md, dst_blk_md;
    dnnl_primitive_t to_blk, from_blk;
    /* Winograd F(4,3) instead of a oneDNN primitive (blocked only; see try_winograd) */
    yk_wino *wino;
    /* the 1x1 kernel instead of a oneDNN primitive (blocked only; see try_conv1x1) */
    yk_c1 *c1;
    /* the bf16 1x1 kernel instead of a oneDNN bf16 primitive (see try_c1b) */
    yk_c1b *c1b;
    /* bf16 (p.bf16, see try_bf16): src_md and dst_md are the bf16 ones; an fp32 source is converted into scratch */
};

#define CHECK(call, what) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { \
    if (err) snprintf(err, (size_t)errlen, "oneDNN %s failed (status %d)", what, (int)s_); goto fail; } } while (0)

static void weight_dims(const yk_conv_params *p, dnnl_dims_t d, int *nd) {
    if (p->groups > 1) {
        d[0] = p->groups; d[1] = p->oc / p->groups; d[2] = p->ic / p->groups; d[3] = p->kh; d[4] = p->kw; *nd = 5;
    } else {
        d[0] = p->oc; d[1] = p->ic; d[2] = p->kh; d[3] = p->kw; *nd = 4;
    }
}

static int init_desc_on(const yk_conv *c, dnnl_convolution_desc_t *cd, dnnl_prop_kind_t kind,
                        const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wei_any,
                        const dnnl_memory_desc_t *dst) {
    const yk_conv_params *p = &c->p;
    dnnl_dims_t strides = {p->sh, p->sw};
    dnnl_dims_t dil = {p->dh - 1, p->dw - 1};
    dnnl_dims_t pl = {p->ph, p->pw};
    int ekh = p->dh * (p->kh - 1) + 1, ekw = p->dw * (p->kw - 1) + 1;
    dnnl_dims_t pr = {(c->oh - 1) * p->sh + ekh - p->ih - p->ph, (c->ow - 1) * p->sw + ekw - p->iw - p->pw};
    return dnnl_dilated_convolution_forward_desc_init(cd, kind, dnnl_convolution_direct, src, wei_any,
                                                      p->has_bias ? &c->bias_md : NULL, dst,
                                                      strides, dil, pl, pr) == dnnl_success ? 0 : -1;
}

static int init_desc(const yk_conv *c, dnnl_convolution_desc_t *cd, dnnl_prop_kind_t kind,
                     const dnnl_memory_desc_t *wei_any) {
    return init_desc_on(c, cd, kind, &c->src_md, wei_any, &c->dst_md);
}

static int prefers_blocked(const yk_conv_params *p) {
    if (!yk_conv_blocked_enabled()) return 0;
    if (p->training || p->post_add || p->groups != 1 || p->kh * p->kw == 1) return 0;
    return p->ic >= 64 || (p->ic >= 32 && (p->sh > 1 || p->sw > 1));
}

static dnnl_primitive_t make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    if (dnnl_reorder_primitive_desc_create(&rpd, from, g_engine, to, g_engine, NULL) != dnnl_success) return NULL;
    if (dnnl_primitive_create(&r, rpd) != dnnl_success) r = NULL;
    dnnl_primitive_desc_destroy(rpd);
    return r;
}

/* Post-ops: SiLU, then a residual add whose operand has the layout of `add_md`. */
static dnnl_primitive_attr_t make_attr(const yk_conv_params *p, const dnnl_memory_desc_t *add_md) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) return NULL;
    if (dnnl_post_ops_create(&po) != dnnl_success) goto fail;
    if (p->post_silu && dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_swish, 1.0f, 0.0f) != dnnl_success) goto fail;
    if (p->post_add && dnnl_post_ops_append_binary(po, dnnl_binary_add, add_md) != dnnl_success) goto fail;
    if (dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success) goto fail;
    dnnl_post_ops_destroy(po);
    return attr;
fail:
    if (po) dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    return NULL;
}

/* nChw8c descriptors of the source and result (the layouts a blocked convolution computes on). */
static int init_blocked_mds(yk_conv *c) {
    const yk_conv_params *p = &c->p;
    dnnl_dims_t sd = {p->n, p->ic, p->ih, p->iw}, dd = {p->n, p->oc, c->oh, c->ow};
    if (dnnl_memory_desc_init_by_tag(&c->src_blk_md, 4, sd, dnnl_f32, dnnl_nChw8c) != dnnl_success) return -1;
    return dnnl_memory_desc_init_by_tag(&c->dst_blk_md, 4, dd, dnnl_f32, dnnl_nChw8c) == dnnl_success ? 0 : -1;
}

/* The staging reorder of a blocked convolution's result (unless the caller takes the nChw8c result). The source's
   (to_blk, for NHWC sources) is made on first use: in a network nearly every source arrives blocked, and each
   reorder is a JIT primitive that a new input shape would otherwise create for nothing. */
static int make_staging(yk_conv *c) {
    if (c->p.dst_blocked) return 0;
    c->from_blk = make_reorder(&c->dst_blk_md, &c->dst_md);
    return c->from_blk ? 0 : -1;
}

/* Tries the blocked layout: on success c->pd is the blocked primitive descriptor and its staging reorders exist. */
static int try_blocked(yk_conv *c, const dnnl_memory_desc_t *wany) {
    const yk_conv_params *p = &c->p;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t pd = NULL;
    if (init_blocked_mds(c) != 0) return -1;
    if (init_desc_on(c, &cd, dnnl_forward_inference, &c->src_blk_md, wany, &c->dst_blk_md) != 0) return -1;
    dnnl_primitive_attr_t attr = make_attr(p, p->dst_blocked ? &c->dst_blk_md : &c->dst_md);
    if (!attr) return -1;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &cd, attr, g_engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return -1;
    const char *impl = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    if (!impl || strncmp(impl, "ref", 3) == 0 || make_staging(c) != 0) { dnnl_primitive_desc_destroy(pd); return -1; }
    c->pd = pd;
    c->blocked = 1;
    return 0;
}

/* One of our own kernels (Winograd, 1x1) in place of a oneDNN convolution: when it was created, the staging reorder
   of the result and the implementation name; -1 (the caller destroys the kernel) otherwise. */
static int adopt_own_kernel(yk_conv *c, int created, const char *impl) {
    if (!created || make_staging(c) != 0) return -1;
    c->blocked = 1;
    snprintf(c->impl, sizeof c->impl, "%s", impl);
    return 0;
}

/* The Winograd path (winograd.c), for a 3x3 stride-1 convolution that would run blocked: the same staging, no oneDNN
   convolution primitive (so no code generation either). */
static int try_winograd(yk_conv *c) {
    const yk_conv_params *p = &c->p;
    int64_t tiles = (int64_t)p->n * ((p->ih + 3) / 4) * ((p->iw + 3) / 4);
    if (!yk_conv_winograd() || tiles < yk_conv_winograd_min_tiles()) return -1;
    if (!yk_wino_eligible(p) || init_blocked_mds(c) != 0) return -1;
    c->wino = yk_wino_create(&c->p);
    if (adopt_own_kernel(c, c->wino != NULL, "winograd_4x3:avx2 (nChw8c)") == 0) return 0;
    yk_wino_destroy(c->wino);
    c->wino = NULL;
    return -1;
}

/* The first implementation oneDNN offers for `cd` whose name starts with `prefix`, or NULL. */
static dnnl_primitive_desc_t pick_impl(const dnnl_convolution_desc_t *cd, const_dnnl_primitive_attr_t attr,
                                       const char *prefix) {
    dnnl_primitive_desc_iterator_t it = NULL;
    dnnl_primitive_desc_t found = NULL;
    if (dnnl_primitive_desc_iterator_create(&it, cd, attr, g_engine, NULL) != dnnl_success) return NULL;
    do {
        dnnl_primitive_desc_t pd = dnnl_primitive_desc_iterator_fetch(it);
        if (!pd) continue;
        const char *impl = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
        if (impl && strncmp(impl, prefix, strlen(prefix)) == 0) found = pd;
        else dnnl_primitive_desc_destroy(pd);
    } while (!found && dnnl_primitive_desc_iterator_next(it) == dnnl_success);
    dnnl_primitive_desc_iterator_destroy(it);
    return found;
}

/* The bf16 primitive: bf16 NHWC source and weights (format any), fp32 bias, the result in bf16 or fp32 NHWC, the same
   post-ops (a residual has the result's type). Only on a CPU with native bf16 (AVX512_BF16 or AMX), only NHWC (it is
   chosen where the blocked layout is not: CPUs with AVX-512), and only when oneDNN has a jit kernel for it (an
   emulated or reference one would be slower than fp32). On success c->pd is set and src_md/dst_md are the bf16 ones. */
static int try_bf16(yk_conv *c, const dnnl_dims_t sd, const dnnl_dims_t dd, const dnnl_dims_t wd, int wnd) {
    const yk_conv_params *p = &c->p;
    if (!yk_conv_bf16_supported()) return -1;
    dnnl_memory_desc_t src, dst, wany;
    if (dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_bf16, dnnl_nhwc) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&dst, 4, dd, p->dst_bf16 ? dnnl_bf16 : dnnl_f32, dnnl_nhwc) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&wany, wnd, wd, dnnl_bf16, dnnl_format_tag_any) != dnnl_success) return -1;
    dnnl_convolution_desc_t cd;
    if (init_desc_on(c, &cd, dnnl_forward_inference, &src, &wany, &dst) != 0) return -1;
    dnnl_primitive_attr_t attr = make_attr(p, &dst);
    if (!attr) return -1;
    dnnl_primitive_desc_t pd = p->kh * p->kw > 1 && yk_conv_bf16_direct() ? pick_impl(&cd, attr, "jit_bf16:") : NULL;
    dnnl_status_t st = pd ? dnnl_success : dnnl_primitive_desc_create(&pd, &cd, attr, g_engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return -1;
    const char *impl = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    /* native kernels name their ISA: avx512_core_bf16, or avx512_core_amx (whose strings need not say bf16) */
    if (!impl || strncmp(impl, "ref", 3) == 0 || !(strstr(impl, "bf16") || strstr(impl, "amx"))) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    c->src_md = src;
    c->dst_md = dst;
    c->pd = pd;
    return 0;
}

/* Whether yk_conv_create gives this bf16 convolution to conv1x1_bf16.c. */
static int takes_c1b(const yk_conv_params *p) {
    return p->bf16 && !p->training && yk_conv_bf16_supported() && yk_conv_bf16_own_1x1() && yk_c1b_eligible(p);
}

static int try_c1b(yk_conv *c) {
    if (!takes_c1b(&c->p)) return -1;
    c->c1b = yk_c1b_create(&c->p);
    if (!c->c1b) return -1;
    snprintf(c->impl, sizeof c->impl, "conv1x1_bf16:avx512_bf16");
    return 0;
}

/* The 1x1 kernel (conv1x1.c) for a 1x1 stride-1 convolution of the network's blocked chain: no oneDNN primitive, so a
   new input shape creates nothing for it. Under the same switch as Winograd (our own kernels on the blocked layout). */
static int try_conv1x1(yk_conv *c) {
    if (!yk_conv_winograd() || !yk_c1_eligible(&c->p) || init_blocked_mds(c) != 0) return -1;
    c->c1 = yk_c1_create(&c->p);
    if (adopt_own_kernel(c, c->c1 != NULL, "conv1x1:avx2 (nChw8c)") == 0) return 0;
    yk_c1_destroy(c->c1);
    c->c1 = NULL;
    return -1;
}

/* Whether yk_conv_create gives this convolution to one of our own kernels (bf16 1x1, Winograd, float32 1x1), whose
   creation generates no code: the conditions of try_c1b, try_winograd and try_conv1x1 on the path yk_conv_create takes
   to them. */
int yk_conv_is_code_free(const yk_conv_params *p) {
    if (takes_c1b(p)) return 1;
    if (p->training || (p->bf16 && yk_conv_bf16_supported()) || !yk_conv_winograd()) return 0;
    if (!(p->dst_blocked || prefers_blocked(p))) return 0;
    int64_t tiles = (int64_t)p->n * ((p->ih + 3) / 4) * ((p->iw + 3) / 4);
    if ((p->dst_blocked || !p->post_add) && tiles >= yk_conv_winograd_min_tiles() && yk_wino_eligible(p)) return 1;
    return p->dst_blocked && yk_c1_eligible(p);
}

yk_conv *yk_conv_create(const yk_conv_params *p, char *err, int errlen) {
    pthread_once(&g_once, init_engine);
    if (g_init_status != 0) { if (err) snprintf(err, (size_t)errlen, "oneDNN engine creation failed"); return NULL; }
    yk_conv *c = calloc(1, sizeof(yk_conv));
    dnnl_primitive_attr_t attr = NULL;
    if (!c) return NULL;
    c->p = *p;
    int ekh = p->dh * (p->kh - 1) + 1, ekw = p->dw * (p->kw - 1) + 1;
    c->oh = (p->ih + 2 * p->ph - ekh) / p->sh + 1;
    c->ow = (p->iw + 2 * p->pw - ekw) / p->sw + 1;
    if (c->oh <= 0 || c->ow <= 0) { if (err) snprintf(err, (size_t)errlen, "empty output %dx%d", c->oh, c->ow); goto fail; }
    dnnl_dims_t sd = {p->n, p->ic, p->ih, p->iw}, dd = {p->n, p->oc, c->oh, c->ow}, bd = {p->oc}, wd;
    int wnd;
    weight_dims(p, wd, &wnd);
    CHECK(dnnl_memory_desc_init_by_tag(&c->src_md, 4, sd, dnnl_f32, dnnl_nhwc), "src desc");
    CHECK(dnnl_memory_desc_init_by_tag(&c->dst_md, 4, dd, dnnl_f32, dnnl_nhwc), "dst desc");
    CHECK(dnnl_memory_desc_init_by_tag(&c->bias_md, 1, bd, dnnl_f32, dnnl_x), "bias desc");
    CHECK(dnnl_memory_desc_init_by_tag(&c->wei_user_md, wnd, wd, dnnl_f32, wnd == 5 ? dnnl_goihw : dnnl_oihw), "weights desc");
    dnnl_memory_desc_t wany;
    CHECK(dnnl_memory_desc_init_by_tag(&wany, wnd, wd, dnnl_f32, dnnl_format_tag_any), "weights any");
    c->p.bf16 = c->p.bf16 && !p->training;
    c->p.dst_bf16 = c->p.bf16 && p->dst_bf16;
    if (c->p.bf16) {
        if (try_c1b(c) == 0) return c;
        if (try_bf16(c, sd, dd, wd, wnd) == 0) goto created;
        c->p.bf16 = c->p.dst_bf16 = 0;  /* no native bf16 kernel for this geometry: fp32 (yk_conv_is_bf16 says so) */
    }
    dnnl_convolution_desc_t cd;
    if (init_desc(c, &cd, p->training ? dnnl_forward_training : dnnl_forward_inference, &wany) != 0) {
        if (err) snprintf(err, (size_t)errlen, "convolution descriptor rejected"); goto fail;
    }
    int want_blocked = !p->training && (p->dst_blocked || prefers_blocked(p));
    if (want_blocked && (p->dst_blocked || !p->post_add) && try_winograd(c) == 0) return c;
    if (want_blocked && p->dst_blocked && try_conv1x1(c) == 0) return c;
    if (!(want_blocked && try_blocked(c, &wany) == 0)) {
        c->p.dst_blocked = 0;
        attr = make_attr(p, &c->dst_md);
        if (!attr) { if (err) snprintf(err, (size_t)errlen, "oneDNN post-ops rejected"); goto fail; }
        CHECK(dnnl_primitive_desc_create(&c->pd, &cd, attr, g_engine, NULL), "primitive desc");
    }
created:
    CHECK(dnnl_primitive_create(&c->prim, c->pd), "primitive");
    const char *impl = NULL;
    dnnl_primitive_desc_query(c->pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(c->impl, sizeof c->impl, "%s%s", impl ? impl : "?", c->blocked ? " (nChw8c)" : "");
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 0);
    c->wei_md = *wmd;
    c->wei_size = dnnl_memory_desc_get_size(wmd);
    if (posix_memalign(&c->wei, 64, c->wei_size ? c->wei_size : 64) != 0) goto fail;
    memset(c->wei, 0, c->wei_size);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return c;
fail:
    if (attr) dnnl_primitive_attr_destroy(attr);
    yk_conv_destroy(c);
    return NULL;
}

void yk_conv_destroy(yk_conv *c) {
    if (!c) return;
    if (c->prim) dnnl_primitive_destroy(c->prim);
    if (c->pd) dnnl_primitive_desc_destroy(c->pd);
    if (c->bwd_d) dnnl_primitive_destroy(c->bwd_d);
    if (c->bwd_d_pd) dnnl_primitive_desc_destroy(c->bwd_d_pd);
    if (c->bwd_w) dnnl_primitive_destroy(c->bwd_w);
    if (c->bwd_w_pd) dnnl_primitive_desc_destroy(c->bwd_w_pd);
    if (c->to_blk) dnnl_primitive_destroy(c->to_blk);
    if (c->from_blk) dnnl_primitive_destroy(c->from_blk);
    yk_wino_destroy(c->wino);
    yk_c1_destroy(c->c1);
    yk_c1b_destroy(c->c1b);
    free(c->wei);
    free(c->bwd_wbuf);
    free(c->bwd_dwbuf);
    free(c);
}

int yk_conv_out_h(const yk_conv *c) { return c->oh; }
int yk_conv_out_w(const yk_conv *c) { return c->ow; }
const char *yk_conv_impl(const yk_conv *c) { return c->impl; }
int yk_conv_is_blocked(const yk_conv *c) { return c->blocked; }
int yk_conv_dst_blocked(const yk_conv *c) { return c->blocked && c->p.dst_blocked; }
int yk_conv_is_winograd(const yk_conv *c) { return c->wino != NULL; }
int yk_conv_is_conv1x1(const yk_conv *c) { return c->c1 != NULL; }
int yk_conv_is_conv1x1_bf16(const yk_conv *c) { return c->c1b != NULL; }
int yk_conv_is_bf16(const yk_conv *c) { return c->p.bf16; }
int yk_conv_dst_bf16(const yk_conv *c) { return c->p.dst_bf16; }

/* Reorders between two layouts of the same weights. */
static int reorder(const dnnl_memory_desc_t *from_md, const void *from, const dnnl_memory_desc_t *to_md, void *to) {
    if (dnnl_memory_desc_equal(from_md, to_md)) {
        memcpy(to, from, dnnl_memory_desc_get_size(from_md));
        return 0;
    }
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    dnnl_memory_t a = NULL, b = NULL;
    int rc = -1;
    if (dnnl_reorder_primitive_desc_create(&rpd, from_md, g_engine, to_md, g_engine, NULL) != dnnl_success) goto out;
    if (dnnl_primitive_create(&r, rpd) != dnnl_success) goto out;
    if (dnnl_memory_create(&a, from_md, g_engine, (void *)from) != dnnl_success) goto out;
    if (dnnl_memory_create(&b, to_md, g_engine, to) != dnnl_success) goto out;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    if (dnnl_primitive_execute(r, g_stream, 2, args) != dnnl_success) goto out;
    dnnl_stream_wait(g_stream);
    rc = 0;
out:
    if (a) dnnl_memory_destroy(a);
    if (b) dnnl_memory_destroy(b);
    if (r) dnnl_primitive_destroy(r);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    return rc;
}

int yk_conv_set_weights(yk_conv *c, const float *oihw) {
    if (c->wino) return yk_wino_set_weights(c->wino, oihw);
    if (c->c1) return yk_c1_set_weights(c->c1, oihw);
    if (c->c1b) return yk_c1b_set_weights(c->c1b, oihw);
    return reorder(&c->wei_user_md, oihw, &c->wei_md, c->wei);
}

int yk_conv_copy_weights(yk_conv *dst, const yk_conv *src) {
    if (dst->wino || src->wino) return dst->wino && src->wino ? yk_wino_copy_weights(dst->wino, src->wino) : -1;
    if (dst->c1 || src->c1) return dst->c1 && src->c1 ? yk_c1_copy_weights(dst->c1, src->c1) : -1;
    if (dst->c1b || src->c1b) return dst->c1b && src->c1b ? yk_c1b_copy_weights(dst->c1b, src->c1b) : -1;
    if (!dnnl_memory_desc_equal(&dst->wei_md, &src->wei_md) ||
        !dnnl_memory_desc_equal(&dst->wei_user_md, &src->wei_user_md)) return -1;
    memcpy(dst->wei, src->wei, dst->wei_size);
    return 0;
}


struct create_job {
    const yk_conv_params *ps;
    yk_conv **out;
    int n, next, omp_threads;
};

static void *create_worker(void *arg) {
    struct create_job *job = arg;
    omp_set_num_threads(job->omp_threads);
    for (;;) {
        int i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (i >= job->n) break;
        job->out[i] = yk_conv_create(&job->ps[i], NULL, 0);
    }
    return NULL;
}

void yk_conv_create_many(const yk_conv_params *ps, int n, yk_conv **out, int threads) {
    pthread_once(&g_once, init_engine);
    struct create_job job = {ps, out, n, 0, omp_get_max_threads()};
    if (threads <= 0) threads = job.omp_threads;
    if (threads > n) threads = n;
    if (threads > 64) threads = 64;
    pthread_t tids[64];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tids[started], NULL, create_worker, &job) == 0) started++;
    }
    create_worker(&job);
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
}

/* Executes a primitive over user buffers; mds and ptrs are parallel arrays. */
static int run(dnnl_primitive_t prim, int n, const int *kinds, const dnnl_memory_desc_t **mds, void **ptrs) {
    dnnl_exec_arg_t args[8];
    dnnl_memory_t mems[8];
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (dnnl_memory_create(&mems[i], mds[i], g_engine, ptrs[i]) != dnnl_success) {
            for (int j = 0; j < i; j++) dnnl_memory_destroy(mems[j]);
            return -1;
        }
        args[i].arg = kinds[i];
        args[i].memory = mems[i];
    }
    unsigned int csr = ftz_enter();
    if (dnnl_primitive_execute(prim, g_stream, n, args) != dnnl_success) rc = -1;
    dnnl_stream_wait(g_stream);
    mxcsr_set(csr);
    for (int i = 0; i < n; i++) dnnl_memory_destroy(mems[i]);
    return rc;
}

/* Executes the forward primitive; the residual (post_add) has the destination's layout. */
static int run_conv(yk_conv *c, const dnnl_memory_desc_t *src_md, const void *src, const float *bias,
                    const void *residual, const dnnl_memory_desc_t *dst_md, void *dst) {
    int kinds[5];
    const dnnl_memory_desc_t *mds[5];
    void *ptrs[5];
    int n = 0;
    kinds[n] = DNNL_ARG_SRC; mds[n] = src_md; ptrs[n++] = (void *)src;
    kinds[n] = DNNL_ARG_WEIGHTS; mds[n] = &c->wei_md; ptrs[n++] = c->wei;
    if (c->p.has_bias) { kinds[n] = DNNL_ARG_BIAS; mds[n] = &c->bias_md; ptrs[n++] = (void *)bias; }
    kinds[n] = DNNL_ARG_DST; mds[n] = dst_md; ptrs[n++] = dst;
    if (c->p.post_add) {
        kinds[n] = DNNL_ARG_ATTR_MULTIPLE_POST_OP(c->p.post_silu ? 1 : 0) | DNNL_ARG_SRC_1;
        mds[n] = dst_md; ptrs[n++] = (void *)residual;
    }
    return run(c->prim, n, kinds, mds, ptrs);
}

static int forward_blocked(yk_conv *c, const float *src, int src_blocked, const float *bias, const float *residual,
                           float *dst) {
    void *bs = src_blocked ? (void *)src : yk_thread_scratch(0, dnnl_memory_desc_get_size(&c->src_blk_md));
    void *bd = c->p.dst_blocked ? (void *)dst : yk_thread_scratch(1, dnnl_memory_desc_get_size(&c->dst_blk_md));
    if (!bs || !bd) return -1;
    int rk[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    if (!src_blocked) {
        if (!c->to_blk && !(c->to_blk = make_reorder(&c->src_md, &c->src_blk_md))) return -1;
        const dnnl_memory_desc_t *in[2] = {&c->src_md, &c->src_blk_md};
        void *inp[2] = {(void *)src, bs};
        if (run(c->to_blk, 2, rk, in, inp) != 0) return -1;
    }
    /* a residual comes only with a blocked result, so it is nChw8c as well */
    if (c->wino || c->c1) {
        unsigned int csr = ftz_enter();
        int rc = c->wino ? yk_wino_forward(c->wino, bs, bias, residual, bd) : yk_c1_forward(c->c1, bs, bias, residual, bd);
        mxcsr_set(csr);
        if (rc != 0) return -1;
    } else if (run_conv(c, &c->src_blk_md, bs, bias, residual, &c->dst_blk_md, bd) != 0) return -1;
    if (c->p.dst_blocked) return 0;
    const dnnl_memory_desc_t *out[2] = {&c->dst_blk_md, &c->dst_md};
    void *outp[2] = {bd, dst};
    return run(c->from_blk, 2, rk, out, outp);
}

/* A bf16 primitive on an fp32 source: the source converted into scratch first (the network's first convolution, or
   one after an op that left fp32). */
static int forward_bf16(yk_conv *c, const void *src, int src_layout, const float *bias, const void *residual,
                        void *dst) {
    const void *s = src;
    if (src_layout == YK_SRC_NHWC) {
        int64_t count = (int64_t)c->p.n * c->p.ih * c->p.iw * c->p.ic;
        uint16_t *b = yk_thread_scratch(0, (size_t)count * sizeof(uint16_t));
        if (!b) return -1;
        yk_f32_to_bf16(src, b, count);
        s = b;
    }
    if (c->c1b) {
        unsigned int csr = ftz_enter();
        int rc = yk_c1b_forward(c->c1b, s, bias, dst);
        mxcsr_set(csr);
        return rc;
    }
    return run_conv(c, &c->src_md, s, bias, residual, &c->dst_md, dst);
}

int yk_conv_forward_layout(yk_conv *c, const void *src, int src_layout, const float *bias, const void *residual,
                           void *dst) {
    if (src_layout != YK_SRC_NHWC && src_layout != (c->blocked ? YK_SRC_NCHW8C : c->p.bf16 ? YK_SRC_BF16 : -1)) return -1;
    if (c->blocked) return forward_blocked(c, src, src_layout == YK_SRC_NCHW8C, bias, residual, dst);
    if (c->p.bf16) return forward_bf16(c, src, src_layout, bias, residual, dst);
    return run_conv(c, &c->src_md, src, bias, residual, &c->dst_md, dst);
}

int yk_conv_forward(yk_conv *c, const float *src, const float *bias, const float *residual, float *dst) {
    return yk_conv_forward_layout(c, src, YK_SRC_NHWC, bias, residual, dst);
}

static int make_backward(yk_conv *c) {
    const yk_conv_params *p = &c->p;
    char *err = NULL; int errlen = 0;
    dnnl_dims_t wd; int wnd;
    weight_dims(p, wd, &wnd);
    dnnl_memory_desc_t wany;
    dnnl_dims_t strides = {p->sh, p->sw}, dil = {p->dh - 1, p->dw - 1}, pl = {p->ph, p->pw};
    int ekh = p->dh * (p->kh - 1) + 1, ekw = p->dw * (p->kw - 1) + 1;
    dnnl_dims_t pr = {(c->oh - 1) * p->sh + ekh - p->ih - p->ph, (c->ow - 1) * p->sw + ekw - p->iw - p->pw};
    dnnl_convolution_desc_t fd, bd, bw;
    CHECK(dnnl_memory_desc_init_by_tag(&wany, wnd, wd, dnnl_f32, dnnl_format_tag_any), "weights any");
    if (init_desc(c, &fd, dnnl_forward_training, &wany) != 0) goto fail;
    dnnl_primitive_desc_t hint = NULL;
    CHECK(dnnl_primitive_desc_create(&hint, &fd, NULL, g_engine, NULL), "hint desc");
    CHECK(dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &c->src_md, &wany,
                                                          &c->dst_md, strides, dil, pl, pr), "bwd data desc");
    CHECK(dnnl_primitive_desc_create(&c->bwd_d_pd, &bd, NULL, g_engine, hint), "bwd data pd");
    CHECK(dnnl_primitive_create(&c->bwd_d, c->bwd_d_pd), "bwd data");
    c->bwd_d_wei_md = *dnnl_primitive_desc_query_md(c->bwd_d_pd, dnnl_query_weights_md, 0);
    CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&bw, dnnl_convolution_direct, &c->src_md, &wany,
                                                             p->has_bias ? &c->bias_md : NULL, &c->dst_md,
                                                             strides, dil, pl, pr), "bwd weights desc");
    CHECK(dnnl_primitive_desc_create(&c->bwd_w_pd, &bw, NULL, g_engine, hint), "bwd weights pd");
    CHECK(dnnl_primitive_create(&c->bwd_w, c->bwd_w_pd), "bwd weights");
    c->bwd_w_dwei_md = *dnnl_primitive_desc_query_md(c->bwd_w_pd, dnnl_query_diff_weights_md, 0);
    dnnl_primitive_desc_destroy(hint);
    return 0;
fail:
    return -1;
}

int yk_conv_backward(yk_conv *c, const float *src, const float *diff_dst,
                     float *diff_src, float *diff_weights_oihw, float *diff_bias) {
    if (!c->bwd_d && make_backward(c) != 0) return -1;
    int rc = 0;
    if (diff_src) {
        /* weights in the backward-data layout, from the forward layout */
        size_t sz = dnnl_memory_desc_get_size(&c->bwd_d_wei_md);
        if (!c->bwd_wbuf && posix_memalign(&c->bwd_wbuf, 64, sz ? sz : 64) != 0) { c->bwd_wbuf = NULL; return -1; }
        void *w = c->bwd_wbuf;
        if (reorder(&c->wei_md, c->wei, &c->bwd_d_wei_md, w) != 0) return -1;
        int kinds[3] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
        const dnnl_memory_desc_t *mds[3] = {&c->dst_md, &c->bwd_d_wei_md, &c->src_md};
        void *ptrs[3] = {(void *)diff_dst, w, diff_src};
        rc |= run(c->bwd_d, 3, kinds, mds, ptrs);
    }
    if (diff_weights_oihw) {
        size_t sz = dnnl_memory_desc_get_size(&c->bwd_w_dwei_md);
        if (!c->bwd_dwbuf && posix_memalign(&c->bwd_dwbuf, 64, sz ? sz : 64) != 0) { c->bwd_dwbuf = NULL; return -1; }
        void *dw = c->bwd_dwbuf;
        int kinds[4] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS};
        const dnnl_memory_desc_t *mds[4] = {&c->src_md, &c->dst_md, &c->bwd_w_dwei_md, &c->bias_md};
        void *ptrs[4] = {(void *)src, (void *)diff_dst, dw, diff_bias};
        int nargs = (c->p.has_bias && diff_bias) ? 4 : 3;
        rc |= run(c->bwd_w, nargs, kinds, mds, ptrs);
        rc |= reorder(&c->bwd_w_dwei_md, dw, &c->wei_user_md, diff_weights_oihw);
    }
    return rc;
}

int yk_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    unsigned int csr = ftz_enter();
    int rc = dnnl_sgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == dnnl_success ? 0 : -1;
    mxcsr_set(csr);
    return rc;
}

