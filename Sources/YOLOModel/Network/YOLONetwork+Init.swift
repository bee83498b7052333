import Foundation
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// PyTorch's default convolution initialisation, U(−1/√fan_in, 1/√fan_in) for weights and biases;
    /// BatchNorm γ = 1, β = 0, running statistics 0/1. The DFL weights stay fixed at 0…reg_max−1.
    func initializeWeights(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for (path, m) in namedModules() {
            guard let conv = m as? Conv2d, !path.hasSuffix("dfl.conv") else { continue }
            let fanIn = conv.weight.count / conv.outChannels
            let bound = Float(1 / Double(fanIn).squareRoot())
            let w = conv.weight.pointer
            for i in 0..<conv.weight.count { w[i] = Float.random(in: -bound...bound, using: &rng) }
            conv.weight.markModified()
            if let b = conv.bias {
                let bp = b.pointer
                for i in 0..<b.count { bp[i] = Float.random(in: -bound...bound, using: &rng) }
                b.markModified()
            }
        }
    }
}
