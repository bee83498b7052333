#ifndef YK_GMC_H
#define YK_GMC_H

/* Global motion compensation for the trackers (BoT-SORT, TrackTrack): estimates the 2x3 affine warp that maps the
 * previous frame onto the current one, with OpenCV 4.6 (core, imgproc, video, calib3d). A plain C API so Swift can
 * call it; every C++ exception is caught inside and reported through the return value and `message`. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One estimator with its previous-frame state. Not thread-safe: use one per video stream. */
typedef struct yk_gmc yk_gmc;

/** Estimation methods. ORB and SIFT are absent: they need OpenCV's features2d, whose headers are not installed. */
enum {
    YK_GMC_NONE = 0,            /**< always the identity */
    YK_GMC_SPARSE_OPT_FLOW = 1, /**< Shi–Tomasi corners + pyramidal Lucas–Kanade + RANSAC partial affine */
    YK_GMC_ECC = 2              /**< enhanced correlation coefficient, Euclidean motion */
};

/** Byte order of 3-channel pixels. */
enum { YK_GMC_BGR = 0, YK_GMC_RGB = 1 };

/** Results of `yk_gmc_apply`. Positive values are warnings: `warp` is still written and the state advanced. */
enum {
    YK_GMC_OK = 0,
    YK_GMC_FEW_POINTS = 1,      /**< "not enough matching points": identity */
    YK_GMC_AFFINE_FAILED = 2,   /**< "affine estimation failed": identity */
    YK_GMC_ECC_FAILED = 3,      /**< findTransformECC threw; `message` holds the full warning text */
    YK_GMC_ERROR = -1           /**< bad arguments or an OpenCV error outside ECC; `message` says why, state unchanged */
};

/** A new estimator, or NULL when `method` is not one of the enum values. `downscale` below 1 is taken as 1. */
yk_gmc *yk_gmc_create(int method, int downscale);

/** Frees an estimator (NULL is allowed). */
void yk_gmc_destroy(yk_gmc *g);

/** Forgets the previous frame, so the next frame is treated as the first. */
void yk_gmc_reset(yk_gmc *g);

/** Estimates the warp from the previous frame to this one and stores this frame as the previous.
 *  pixels: 8-bit interleaved, `channels` 3 (byte order `order`) or 1, rows `rowBytes` apart.
 *  warp: receives the 2x3 matrix row-major (identity on the first frame and on every failure).
 *  message: receives a NUL-terminated warning or error text (may be NULL when `messageLen` is 0). */
int yk_gmc_apply(yk_gmc *g, const uint8_t *pixels, int height, int width, int channels, int order,
                 size_t rowBytes, double warp[6], char *message, size_t messageLen);

#ifdef __cplusplus
}
#endif

#endif
