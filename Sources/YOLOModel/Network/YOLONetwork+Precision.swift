import YOLONN
import YOLOTensor

extension DetectHead {
    /// The convolutions that produce the head's raw outputs (the last of every branch) and the DFL's: they stay
    /// float32 in bf16 inference, so box distributions, class logits and keypoints are computed and decoded in float32.
    var outputConvolutions: [Conv2d] {
        let branches = [cv2, cv3] + (cv4.map { [$0] } ?? [])
        return branches.flatMap { list in list.items.compactMap { ($0 as? ModuleList)?.items.last as? Conv2d } }
            + (dfl.map { [$0.conv] } ?? [])
    }
}

extension DetectHead {
    /// Every convolution of the head: its three-layer branches and the DFL's.
    var convolutions: [Conv2d] { namedModules().compactMap { $0.1 as? Conv2d } }
}

extension ConvPrecision {
    /// Whether bf16 inference computes the whole head in float32: where float32 3×3 convolutions run as Winograd on the
    /// blocked layout and bf16 has no AMX, the float32 head is the faster one as well as the exact one (the head is
    /// nearly all 3×3 convolutions). Measured on a 2-core Zen 4 (AVX512_BF16): yolov8n-pose's head 9.6 ms float32
    /// against 11.3 ms bf16, yolov8s-pose's 20.8 against 24.5 ms. On AMX (bf16 ~5× float32) the head stays bf16.
    public static var headRunsFloat32InBF16: Bool {
        bf16Hardware != "AMX" && ConvLayoutPolicy.blocksActivations && ConvWinograd.isEnabled
    }
}

extension YOLONetwork {
    /// Sets the arithmetic of inference convolutions (`quantize=16` asks for `.bfloat16`) and returns what will run.
    ///
    /// `.bfloat16` takes effect only where the CPU computes bf16 natively (`ConvPrecision.isBF16Supported`); then every
    /// convolution but the head's output ones (`DetectHead.outputConvolutions`, float32) runs on bf16 activations with
    /// float32 accumulation, and the activations between them (concat, split, upsample) stay bf16; where the float32
    /// head is faster (`ConvPrecision.headRunsFloat32InBF16`: Winograd on the blocked layout, no AMX) the whole head
    /// is float32. Elsewhere the network stays float32 and this returns `.float32`. Training is always float32.
    @discardableResult
    public func setPrecision(_ precision: ConvPrecision) -> ConvPrecision {
        let effective: ConvPrecision = precision == .bfloat16 && ConvPrecision.isBF16Supported ? .bfloat16 : .float32
        let float32 = ConvPrecision.headRunsFloat32InBF16 ? head.convolutions : head.outputConvolutions
        let outputs = Set(float32.map(ObjectIdentifier.init))
        var changed = false
        for (_, m) in namedModules() {
            guard let conv = m as? Conv2d else { continue }
            let want: ConvPrecision = outputs.contains(ObjectIdentifier(conv)) ? .float32 : effective
            if conv.cache.precision != want {
                conv.cache.precision = want
                changed = true
            }
        }
        // The plan of primitives (and the next shape's prewarm) follows the precision: plan again when it changed (a
        // predictor per image, as `predict(_ image:)` makes, keeps the plan).
        if changed { resetInferencePlan() }
        return effective
    }
}
