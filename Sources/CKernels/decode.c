/* Detection/pose head decode: DFL expectation, dist2bbox (xywh), sigmoid scores, keypoint decode. */
#include "ckernels.h"
#include <math.h>

void yk_decode_level(const float *box, const float *cls, const float *kpt,
                     int64_t n, int64_t h, int64_t w, int reg_max, int nc, int nkpt, int kdim,
                     float stride, float *out, int64_t total_anchors, int64_t a0) {
    int64_t nch = 4 + nc + (int64_t)nkpt * kdim;
    int nk = nkpt * kdim;
    for (int64_t b = 0; b < n; b++) {
        float *ob = out + b * nch * total_anchors;
        for (int64_t y = 0; y < h; y++)
            for (int64_t x = 0; x < w; x++) {
                int64_t pix = (b * h + y) * w + x;
                int64_t a = a0 + y * w + x;
                const float *bl = box + pix * 4 * reg_max;
                float d[4];
                for (int side = 0; side < 4; side++) {
                    const float *z = bl + side * reg_max;
                    float m = z[0];
                    for (int j = 1; j < reg_max; j++) m = z[j] > m ? z[j] : m;
                    float sum = 0.f, acc = 0.f;
                    for (int j = 0; j < reg_max; j++) {
                        float e = expf(z[j] - m);
                        sum += e;
                        acc += e * (float)j;
                    }
                    d[side] = acc / sum;
                }
                float ax = (float)x + 0.5f, ay = (float)y + 0.5f;
                float x1 = ax - d[0], y1 = ay - d[1], x2 = ax + d[2], y2 = ay + d[3];
                ob[0 * total_anchors + a] = (x1 + x2) * 0.5f * stride;
                ob[1 * total_anchors + a] = (y1 + y2) * 0.5f * stride;
                ob[2 * total_anchors + a] = (x2 - x1) * stride;
                ob[3 * total_anchors + a] = (y2 - y1) * stride;
                const float *cl = cls + pix * nc;
                for (int j = 0; j < nc; j++) ob[(4 + j) * total_anchors + a] = 1.0f / (1.0f + expf(-cl[j]));
                if (nk > 0) {
                    const float *kp = kpt + pix * nk;
                    float *ok = ob + (4 + nc) * total_anchors + a;
                    for (int k = 0; k < nkpt; k++) {
                        const float *r = kp + k * kdim;
                        ok[(k * kdim + 0) * total_anchors] = (r[0] * 2.0f + (ax - 0.5f)) * stride;
                        ok[(k * kdim + 1) * total_anchors] = (r[1] * 2.0f + (ay - 0.5f)) * stride;
                        if (kdim == 3) ok[(k * kdim + 2) * total_anchors] = 1.0f / (1.0f + expf(-r[2]));
                    }
                }
            }
    }
}
