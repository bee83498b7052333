import Foundation
import YOLOFormats

/// How a network is pickled as an Ultralytics model object.
public struct UltralyticsModelFormat: Sendable {
    /// Storage type of floating-point weights: float16 (what Ultralytics checkpoints hold) or float32.
    public var dtype: TensorDType = .float16
    /// Every module's `training` flag (false: the EMA and stripped models are in eval mode).
    public var training = false
    /// `requires_grad` of the parameters (false in EMA and stripped models). DFL weights are always frozen.
    public var requiresGrad = false
    /// Pickle `model.args` as an `ultralytics.utils.IterableSimpleNamespace` (the EMA inside a training
    /// checkpoint) rather than a dict (a stripped checkpoint).
    public var argsAsNamespace = false
    /// `model.kpt_oks_sigmas` (pose): the dataset's sigmas, or None.
    public var kptOksSigmas: [Double]?
    /// `model.kpt_names` (pose): class index → keypoint names. Nil means Ultralytics' default, "0"…"K−1" per class.
    public var kptNames: [Int: [String]]?

    public init(dtype: TensorDType = .float16, training: Bool = false, requiresGrad: Bool = false,
                argsAsNamespace: Bool = false, kptOksSigmas: [Double]? = nil, kptNames: [Int: [String]]? = nil) {
        self.dtype = dtype
        self.training = training
        self.requiresGrad = requiresGrad
        self.argsAsNamespace = argsAsNamespace
        self.kptOksSigmas = kptOksSigmas
        self.kptNames = kptNames
    }
}
