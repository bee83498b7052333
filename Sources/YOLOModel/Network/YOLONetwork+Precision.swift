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

extension YOLONetwork {
    /// Sets the arithmetic of inference convolutions (`quantize=16` asks for `.bfloat16`) and returns what will run.
    ///
    /// `.bfloat16` takes effect only where the CPU computes bf16 natively (`ConvPrecision.isBF16Supported`); then every
    /// convolution but the head's output ones (`DetectHead.outputConvolutions`, float32) runs on bf16 activations with
    /// float32 accumulation, and the activations between them (concat, split, upsample) stay bf16. Elsewhere the
    /// network stays float32 and this returns `.float32`. Training is always float32.
    @discardableResult
    public func setPrecision(_ precision: ConvPrecision) -> ConvPrecision {
        let effective: ConvPrecision = precision == .bfloat16 && ConvPrecision.isBF16Supported ? .bfloat16 : .float32
        let outputs = Set(head.outputConvolutions.map(ObjectIdentifier.init))
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
