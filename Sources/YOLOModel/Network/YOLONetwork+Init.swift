import Foundation
import YOLONN
import YOLOTensor

/// SplitMix64: a small deterministic generator for weight initialisation.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension YOLONetwork {
    /// PyTorch's default convolution initialisation, U(−1/√fan_in, 1/√fan_in) for weights and biases;
    /// BatchNorm γ = 1, β = 0, running statistics 0/1. The DFL weights stay fixed at 0…reg_max−1.
    func initializeWeights(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        for (path, m) in namedModules() {
            guard let conv = m as? Conv2d, !path.hasSuffix("dfl.conv") else { continue }
            let fanIn = conv.weight.count / conv.outChannels
            let bound = Float(1 / Double(fanIn).squareRoot())
            for i in 0..<conv.weight.count { conv.weight.pointer[i] = Float.random(in: -bound...bound, using: &rng) }
            conv.weight.markModified()
            if let b = conv.bias {
                for i in 0..<b.count { b.pointer[i] = Float.random(in: -bound...bound, using: &rng) }
                b.markModified()
            }
        }
    }
}
