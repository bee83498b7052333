// Sparse optical flow: corners of the previous frame are followed into the current one with pyramidal
// Lucas–Kanade, and a 4-degree-of-freedom affine (rotation, uniform scale, translation) is fitted to the tracked
// pairs with RANSAC. All OpenCV calls use the parameters Ultralytics' tracker uses (defaults unless listed).
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "calib3d_decl.hpp"
#include "gmc_state.hpp"

namespace yk_gmc_steps {

namespace {
constexpr int kMaxCorners = 400;
constexpr double kQualityLevel = 0.01;
constexpr double kMinDistance = 0;
constexpr int kBlockSize = 3;
constexpr double kHarrisK = 0.04;  // unused: Shi–Tomasi, not Harris
/// A partial affine has 4 degrees of freedom; fewer than 5 tracked pairs is reported and skipped.
constexpr size_t kMinPairs = 5;
}  // namespace

Outcome sparseOpticalFlow(yk_gmc &g, const cv::Mat &gray, double warp[6]) {
    cv::Mat frame = gray;
    if (g.downscale > 1) {
        cv::resize(gray, frame, cv::Size(gray.cols / g.downscale, gray.rows / g.downscale), 0, 0, cv::INTER_LINEAR);
    }
    std::vector<cv::Point2f> corners;
    cv::goodFeaturesToTrack(frame, corners, kMaxCorners, kQualityLevel, kMinDistance, cv::noArray(), kBlockSize,
                            false, kHarrisK);
    setIdentity(warp);
    Outcome outcome;

    if (!g.initialized || g.previousCorners.empty()) {
        g.previousFrame = frame.clone();
        g.previousCorners = std::move(corners);
        g.initialized = true;
        return outcome;
    }

    std::vector<cv::Point2f> tracked;
    std::vector<unsigned char> status;
    std::vector<float> trackError;
    cv::calcOpticalFlowPyrLK(g.previousFrame, frame, g.previousCorners, tracked, status, trackError);

    std::vector<cv::Point2f> from, to;
    for (size_t i = 0; i < status.size(); i++) {
        if (status[i]) {
            from.push_back(g.previousCorners[i]);
            to.push_back(tracked[i]);
        }
    }

    if (from.size() >= kMinPairs) {
        cv::Mat estimate = cv::estimateAffinePartial2D(from, to, cv::noArray(), yk_calib3d::kRansac);
        if (estimate.empty()) {
            outcome.code = YK_GMC_AFFINE_FAILED;
            outcome.message = "affine estimation failed";
        } else {
            cv::Mat_<double> m;
            estimate.convertTo(m, CV_64F);
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) warp[r * 3 + c] = m(r, c);
            }
            if (g.downscale > 1) {  // translation back to full-resolution pixels
                warp[2] *= g.downscale;
                warp[5] *= g.downscale;
            }
        }
    } else {
        outcome.code = YK_GMC_FEW_POINTS;
        outcome.message = "not enough matching points";
    }

    g.previousFrame = frame.clone();
    g.previousCorners = std::move(corners);
    return outcome;
}

}  // namespace yk_gmc_steps
