// The estimator's state and the per-method steps that gmc.cpp dispatches to.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "gmc.h"

struct yk_gmc {
    int method;
    int downscale;
    /// Whether a first frame has been stored since creation or the last reset.
    bool initialized = false;
    /// The previous frame, grayscale, after downscaling (and, for ECC, blurring).
    cv::Mat previousFrame;
    /// Corners found in the previous frame (sparse optical flow). Empty stands for "none found": the next frame
    /// then starts over as a first frame.
    std::vector<cv::Point2f> previousCorners;

    void forget() {
        initialized = false;
        previousFrame.release();
        previousCorners.clear();
    }
};

namespace yk_gmc_steps {

/// What a step returns besides the warp: a YK_GMC_* code and, for warnings, the message text.
struct Outcome {
    int code = YK_GMC_OK;
    std::string message;
};

/// Writes the 2x3 identity.
inline void setIdentity(double warp[6]) {
    warp[0] = 1; warp[1] = 0; warp[2] = 0;
    warp[3] = 0; warp[4] = 1; warp[5] = 0;
}

/// Sparse optical flow on a full-resolution grayscale frame. May throw cv::Exception before touching the state.
Outcome sparseOpticalFlow(yk_gmc &g, const cv::Mat &gray, double warp[6]);

/// ECC on a full-resolution grayscale frame. ECC's own failures become a warning; other OpenCV errors (resizing,
/// blurring) throw before touching the state.
Outcome ecc(yk_gmc &g, const cv::Mat &gray, double warp[6]);

}  // namespace yk_gmc_steps
