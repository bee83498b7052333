import YOLOData

/// Camera-motion compensation. Only `none` is available until the OpenCV-backed estimator lands; any other
/// method is refused rather than silently treated as no motion.
public final class GMC {
    public let method: String?
    public init(method: String, downscale: Int = 2) throws {
        guard method == "none" || method == "None" else {
            throw TrackerConfigError.notImplemented(file: "tracker", what: "gmc_method: \(method)")
        }
        self.method = nil
    }
    public func apply(_ image: Image) -> [Double] { [1, 0, 0, 0, 1, 0] }
    public func reset() {}
}
