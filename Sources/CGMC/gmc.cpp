// The C boundary: argument checks, grayscale conversion, dispatch, and the catch-all that keeps C++ exceptions
// from crossing into Swift.
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include <opencv2/imgproc.hpp>

#include "gmc_state.hpp"

namespace {
void copyMessage(const std::string &text, char *message, size_t messageLen) {
    if (message == nullptr || messageLen == 0) return;
    size_t n = text.size() < messageLen - 1 ? text.size() : messageLen - 1;
    std::memcpy(message, text.data(), n);
    message[n] = 0;
}
}  // namespace

extern "C" yk_gmc *yk_gmc_create(int method, int downscale) {
    if (method != YK_GMC_NONE && method != YK_GMC_SPARSE_OPT_FLOW && method != YK_GMC_ECC) return nullptr;
    yk_gmc *g = new (std::nothrow) yk_gmc();
    if (g == nullptr) return nullptr;
    g->method = method;
    g->downscale = downscale < 1 ? 1 : downscale;
    return g;
}

extern "C" void yk_gmc_destroy(yk_gmc *g) { delete g; }

extern "C" void yk_gmc_reset(yk_gmc *g) {
    if (g != nullptr) g->forget();
}

extern "C" int yk_gmc_apply(yk_gmc *g, const uint8_t *pixels, int height, int width, int channels, int order,
                            size_t rowBytes, double warp[6], char *message, size_t messageLen) {
    copyMessage("", message, messageLen);
    if (warp == nullptr) return YK_GMC_ERROR;
    yk_gmc_steps::setIdentity(warp);
    if (g == nullptr) {
        copyMessage("GMC: no estimator", message, messageLen);
        return YK_GMC_ERROR;
    }
    if (g->method == YK_GMC_NONE) return YK_GMC_OK;
    if (pixels == nullptr || height <= 0 || width <= 0 || (channels != 1 && channels != 3) ||
        rowBytes < static_cast<size_t>(width) * channels) {
        copyMessage("GMC: empty frame or bad layout (" + std::to_string(height) + "x" + std::to_string(width) + "x" +
                        std::to_string(channels) + ", " + std::to_string(rowBytes) + " bytes per row)",
                    message, messageLen);
        return YK_GMC_ERROR;
    }
    try {
        cv::Mat input(height, width, channels == 3 ? CV_8UC3 : CV_8UC1, const_cast<uint8_t *>(pixels), rowBytes);
        cv::Mat gray;
        if (channels == 3) {
            cv::cvtColor(input, gray, order == YK_GMC_RGB ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
        } else {
            gray = input;  // the steps copy what they keep
        }
        yk_gmc_steps::Outcome outcome = g->method == YK_GMC_ECC ? yk_gmc_steps::ecc(*g, gray, warp)
                                                                : yk_gmc_steps::sparseOpticalFlow(*g, gray, warp);
        copyMessage(outcome.message, message, messageLen);
        return outcome.code;
    } catch (const std::exception &e) {
        yk_gmc_steps::setIdentity(warp);
        copyMessage(e.what(), message, messageLen);
        return YK_GMC_ERROR;
    } catch (...) {
        yk_gmc_steps::setIdentity(warp);
        copyMessage("GMC: unknown C++ exception", message, messageLen);
        return YK_GMC_ERROR;
    }
}
