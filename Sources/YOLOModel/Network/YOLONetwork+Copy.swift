import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// An independent copy with the same configuration, weights, buffers and metadata (names, strides, args),
    /// in inference mode with gradients off. The EMA and every validation snapshot of training start from this.
    public func clone() -> YOLONetwork {
        precondition(!isFused, "YOLONetwork.clone: the network is fused; clone it before fusing")
        // The configuration was validated when `self` was built, so rebuilding it cannot fail.
        let copy = try! YOLONetwork(config: config, randomWeights: false)  // copyState overwrites every tensor
        copy.copyState(from: self)
        copy.names = names
        copy.head.stride = head.stride
        copy.args = args
        copy.kptNames = kptNames
        for (_, p) in copy.allParameters() { p.requiresGrad = false }
        copy.eval()
        return copy
    }

    /// Overwrites every parameter and buffer with `other`'s (same architecture, unfused).
    public func copyState(from other: YOLONetwork) {
        let mine = stateDict(), theirs = other.stateDict()
        precondition(mine.count == theirs.count, "YOLONetwork.copyState: \(mine.count) vs \(theirs.count) tensors")
        for ((k, dst), (k2, src)) in zip(mine, theirs) {
            precondition(k == k2 && dst.shape == src.shape, "YOLONetwork.copyState: \(k) \(dst.shape) vs \(k2) \(src.shape)")
            dst.assign(src)
        }
    }
}
