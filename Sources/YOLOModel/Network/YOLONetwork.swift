import Foundation
import YOLONN
import YOLOTensor

/// A YOLOv8 detection or pose network: the layer graph built from a model definition, with the
/// Ultralytics state-dict layout (`model.<i>.…`) and metadata a checkpoint carries.
public final class YOLONetwork: Module {
    /// The layers, registered as `model` so keys read `model.0.conv.weight`.
    public let model: ModuleList
    public let config: ModelConfig
    /// Input layer indices of each layer (absolute).
    public let sources: [[Int]]
    /// Layers whose outputs are kept for later layers.
    public let save: Set<Int>
    /// The detection/pose head (last layer).
    public let head: DetectHead
    /// Class names by index.
    public var names: [Int: String]
    /// Task name: "pose" or "detect".
    public var task: String { head.kptShape == nil ? "detect" : "pose" }
    /// Strides of the head's levels (8, 16, 32[, 64]).
    public var stride: [Float] { head.stride }
    /// The path `YOLONetwork.load` read the model from, as given (weights or definition); exports go beside it.
    public var sourcePath: String?
    /// Keypoint names per class (`model.kpt_names`) when the checkpoint carries them; nil for YAML-built models.
    public var kptNames: [Int: [String]]?
    /// Training arguments carried by a checkpoint (imgsz, data, …), as loaded.
    public var args: [String: ConfigNode] = [:]
    /// The order of `args` keys as the checkpoint stored them (written back in this order; others follow sorted).
    var argsOrder: [String] = []
    /// Called after each layer with its index and wall time in ms (profiling; nil by default).
    public var layerTimer: ((Int, Double) -> Void)?
    /// Whether Conv+BN pairs have been folded.
    public private(set) var isFused = false
    /// `[N, H, W]` of the previous input (or of the planning pass), to create a new shape's primitives ahead of the forward.
    var lastInputShape: [Int]?
    /// Every convolution, in module order.
    lazy var convolutions: [Conv2d] = namedModules().compactMap { $0.1 as? Conv2d }
    /// Every convolution's primitive cache, in module order.
    var convCaches: [ConvCache] { convolutions.map(\.cache) }

    init(config: ModelConfig, layers: [Module], sources: [[Int]], save: Set<Int>, head: DetectHead) {
        self.config = config
        self.model = ModuleList(layers)
        self.sources = sources
        self.save = save
        self.head = head
        names = Dictionary(uniqueKeysWithValues: (0..<head.nc).map { ($0, String($0)) })
        super.init()
    }

    public override var namedChildren: [(String, Module)] { [("model", model)] }

    public var nc: Int { head.nc }
    public var kptShape: [Int]? { head.kptShape }

    /// Runs the backbone and neck and returns the head's raw per-level outputs. `x` is NHWC RGB in [0, 1].
    public func forwardRaw(_ x: Tensor) -> [HeadLevel] {
        let feats = headInputs(x)
        let t0 = layerTimer == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        let r = head.raw(feats)
        layerTimer?(model.count - 1, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        return r
    }

    /// Runs the backbone and neck and returns the feature maps entering the head (one per level). `tap`, when given,
    /// replaces the j-th head input where its layer produces it, so every later use (the neck's downsampling paths
    /// and the head) sees the replacement: adding a zero leaf there makes the gradient that leaf receives the gradient
    /// with respect to that feature map through all paths (what LayerCAM weights activations by).
    public func headInputs(_ x: Tensor, tap: ((_ level: Int, _ map: Tensor) -> Tensor)? = nil) -> [Tensor] {
        precondition(x.rank == 4 && x.shape[3] == config.channels,
                     "YOLONetwork: input \(x.shape) must be NHWC with \(config.channels) channels")
        let maxStride = Int(stride.max() ?? 32)
        precondition(x.shape[1] % maxStride == 0 && x.shape[2] % maxStride == 0,
                     "YOLONetwork: input \(x.shape[1])×\(x.shape[2]) must be a multiple of stride \(maxStride)")
        let inputShape = Array(x.shape[0..<3])
        if lastInputShape == nil && tap == nil && !GradMode.isEnabled && !isTraining { planPrimitives(batch: x.shape[0]) }
        if let previous = lastInputShape, previous != inputShape {
            // A new shape: its primitives are created several at a time before the layers ask for them one by one.
            ConvCache.prewarm(convCaches, from: previous, to: inputShape)
        }
        lastInputShape = inputShape
        var outputs = [Tensor?](repeating: nil, count: model.count)
        var last = x
        for (i, layer) in model.items.enumerated() {
            let inputs = sources[i].map { $0 == i - 1 ? last : outputs[$0]! }
            if i == model.count - 1 { return inputs }
            let t0 = layerTimer == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            last = (layer as! GraphLayer).forward(inputs)
            layerTimer?(i, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            if let tap, let j = sources[model.count - 1].firstIndex(of: i) { last = tap(j, last) }
            if save.contains(i) { outputs[i] = last }
        }
        preconditionFailure("YOLONetwork: no head layer")
    }

    /// Decoded output `[N, 4 + nc + K·D, anchors]` as Ultralytics' eval forward returns it.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        head.decode(forwardRaw(x))
    }

    /// Folds every BatchNorm into its convolution (inference). Irreversible.
    public func fuse() {
        guard !isFused else { return }
        for (_, m) in namedModules() { (m as? ConvBlock)?.fuse() }
        isFused = true
        resetInferencePlan()   // the primitives went with the old weights: plan again
    }

    /// Makes the next inference plan its primitives again (after a change of weights or precision).
    func resetInferencePlan() { lastInputShape = nil }

    /// The first inference's planning pass: at the smallest legal input (`batch` images of the largest stride square)
    /// every convolution records its geometry, from which `ConvCache.prewarm` scales each new shape's primitives.
    /// Returns the planned `[N, H, W]` (also `lastInputShape`).
    @discardableResult
    func planPrimitives(batch: Int) -> [Int] {
        let side = Int(stride.max() ?? 32)
        let shape = [batch, side, side]
        lastInputShape = shape
        _ = ConvCache.plan(convCaches) { head.raw(headInputs(Tensor(shape: shape + [config.channels], repeating: 0))) }
        return shape
    }
}
