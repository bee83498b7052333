import CGMC
import YOLOData
import YOLOModel

/// Global motion compensation: the camera motion between consecutive frames as a 2×3 affine warp, which BoT-SORT
/// and TrackTrack apply to their track predictions. Mirrors Ultralytics' tracker GMC with OpenCV 4.6 doing the
/// image work:
///
/// * `sparseOptFlow` (the default of botsort.yaml and tracktrack.yaml): grayscale, resized to `1/downscale`,
///   up to 400 Shi–Tomasi corners, pyramidal Lucas–Kanade into the next frame, RANSAC partial affine (rotation,
///   uniform scale, translation), translation scaled back by `downscale`.
/// * `ecc`: grayscale, 3×3 Gaussian blur (σ 1.5), resized, Euclidean ECC (5000 iterations or 1e-6), translation
///   scaled back by full/downscaled size.
/// * `none` (`"none"`, `"None"` or nil): always the identity.
///
/// The first frame (and the first after `reset()`) gives the identity. `orb` and `sift` need OpenCV's features2d,
/// which this build does not link, so they are refused. One instance follows one video stream; it is not
/// thread-safe.
public final class GMC {
    /// The method as the reference names it, or nil for `none`.
    public private(set) var method: String?
    /// The downscale factor in use (at least 1).
    public let downscale: Int
    /// The warning the last `apply` logged, or nil when it logged none.
    public private(set) var lastWarning: String?

    private let handle: OpaquePointer?

    /// Creates an estimator. `method`: `"sparseOptFlow"`, `"ecc"`, `"none"`/`"None"`/nil. Throws
    /// `GMCError.needsFeatures2D` for `"orb"`/`"sift"` and `GMCError.unknownMethod` for anything else.
    public init(method: String? = "sparseOptFlow", downscale: Int = 2) throws {
        let code: Int32
        switch method {
        case "sparseOptFlow": code = Int32(YK_GMC_SPARSE_OPT_FLOW)
        case "ecc": code = Int32(YK_GMC_ECC)
        case nil, "none", "None": code = Int32(YK_GMC_NONE)
        case "orb", "sift": throw GMCError.needsFeatures2D(method!)
        default: throw GMCError.unknownMethod(method!)
        }
        self.method = code == YK_GMC_NONE ? nil : method
        self.downscale = max(1, downscale)
        guard let created = yk_gmc_create(code, Int32(clamping: self.downscale)) else {
            fatalError("GMC: could not allocate the estimator")
        }
        handle = created
    }

    deinit { yk_gmc_destroy(handle) }

    /// The warp from the previous frame to `image`, 2×3 row-major `[a, b, tx, c, d, ty]`, and `image` becomes the
    /// previous frame. Logs the reference's warnings ("not enough matching points", "affine estimation failed",
    /// "findTransformECC failed; …") with `Log.warning`. A frame OpenCV cannot process (for example 1×1, which
    /// downscales to nothing) logs the OpenCV error and gives the identity without changing the state.
    public func apply(_ image: Image) -> [Double] {
        lastWarning = nil
        guard method != nil else { return [1, 0, 0, 0, 1, 0] }
        var warp = [Double](repeating: 0, count: 6)
        var message = [CChar](repeating: 0, count: 1024)
        let order = Int32(image.order == .rgb ? YK_GMC_RGB : YK_GMC_BGR)
        let result = image.pixels.withUnsafeBufferPointer { pixels in
            warp.withUnsafeMutableBufferPointer { out in
                message.withUnsafeMutableBufferPointer { text in
                    yk_gmc_apply(handle, pixels.baseAddress, Int32(clamping: image.height), Int32(clamping: image.width),
                                 3, order, image.width * 3, out.baseAddress, text.baseAddress, text.count)
                }
            }
        }
        if result != YK_GMC_OK {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            lastWarning = result < 0 ? "GMC failed; using identity warp. \(text)" : text
            Log.warning(lastWarning!)
        }
        return warp
    }

    /// Forgets the previous frame (the reference's `reset_params`); the next frame gives the identity.
    public func reset() { yk_gmc_reset(handle) }
}
