// ECC (enhanced correlation coefficient) alignment of the previous frame to the current one with a Euclidean
// (rotation + translation) motion model, on blurred, downscaled grayscale frames.
#include <exception>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "gmc_state.hpp"

namespace yk_gmc_steps {

namespace {
constexpr int kIterations = 5000;
constexpr double kEpsilon = 1e-6;
constexpr double kBlurSigma = 1.5;
/// findTransformECC's own Gaussian pre-filter size (1: none beyond the blur above).
constexpr int kECCFilterSize = 1;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}
}  // namespace

Outcome ecc(yk_gmc &g, const cv::Mat &gray, double warp[6]) {
    const int width = gray.cols, height = gray.rows;
    cv::Mat frame = gray;
    if (g.downscale > 1) {
        cv::Mat blurred;
        cv::GaussianBlur(gray, blurred, cv::Size(3, 3), kBlurSigma);
        cv::resize(blurred, frame, cv::Size(width / g.downscale, height / g.downscale), 0, 0, cv::INTER_LINEAR);
    }
    // The warp is float32 throughout, as ECC works in single precision.
    cv::Mat_<float> h = cv::Mat_<float>::eye(2, 3);
    Outcome outcome;

    if (!g.initialized) {
        g.previousFrame = frame.clone();
        g.initialized = true;
    } else {
        try {
            cv::findTransformECC(g.previousFrame, frame, h, cv::MOTION_EUCLIDEAN,
                                 cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, kIterations,
                                                  kEpsilon),
                                 cv::noArray(), kECCFilterSize);
            // Translation back to full-resolution pixels; the product is rounded to float32 like the matrix.
            h(0, 2) = static_cast<float>(static_cast<double>(h(0, 2)) * (static_cast<double>(width) / frame.cols));
            h(1, 2) = static_cast<float>(static_cast<double>(h(1, 2)) * (static_cast<double>(height) / frame.rows));
        } catch (const std::exception &e) {
            // ECC updates the matrix in place each iteration; a failure keeps whatever it held (usually the
            // identity), unscaled — the same matrix the reference returns after its warning.
            outcome.code = YK_GMC_ECC_FAILED;
            outcome.message = "findTransformECC failed; using identity warp. " + trimmed(e.what());
        }
        g.previousFrame = frame.clone();
    }
    for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 3; c++) warp[r * 3 + c] = h(r, c);
    }
    return outcome;
}

}  // namespace yk_gmc_steps
