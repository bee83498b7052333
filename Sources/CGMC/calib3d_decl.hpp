// The one calib3d function GMC needs, declared by hand.
//
// Debian bookworm ships the calib3d runtime (libopencv_calib3d.so.406, pulled in by libopencv-video-dev's
// dependencies) but its header only comes with libopencv-calib3d-dev, which drags in about 110 more packages
// (features2d, flann, dnn, … dev files). The declaration below has the same signature and defaults as OpenCV 4.6's
// calib3d.hpp, so the call binds to the exported symbol
//   cv::estimateAffinePartial2D(_InputArray const&, _InputArray const&, _OutputArray const&, int, double,
//                               unsigned long, double, unsigned long)
// and Package.swift links the library by file name (there is no unversioned libopencv_calib3d.so without -dev).
#pragma once

#include <opencv2/core.hpp>

namespace yk_calib3d {
/// calib3d's robust-method flag for RANSAC (cv::RANSAC in calib3d.hpp).
constexpr int kRansac = 8;
}  // namespace yk_calib3d

namespace cv {
CV_EXPORTS_W Mat estimateAffinePartial2D(InputArray from, InputArray to, OutputArray inliers = noArray(),
                                         int method = yk_calib3d::kRansac, double ransacReprojThreshold = 3,
                                         size_t maxIters = 2000, double confidence = 0.99, size_t refineIters = 10);
}  // namespace cv
