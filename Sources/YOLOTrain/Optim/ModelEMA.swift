import Foundation
import YOLOModel
import YOLOTensor

/// The reference's exponential moving average of the model (spec train-and-val §2.10): an inference copy whose
/// floating state-dict entries (weights, BN statistics; not `num_batches_tracked`) follow the live model with
/// decay d(u) = 0.9999·(1 − exp(−u/2000)), updated after each optimizer step.
public final class ModelEMA {
    /// The averaged network (inference mode, no gradients). Validation and checkpoints use it.
    public let ema: YOLONetwork
    /// Number of updates so far (the reference's `updates`).
    public var updates: Int
    public let decay: Double, tau: Double
    private let pairs: [(ema: Tensor, model: Tensor)]

    public init(_ model: YOLONetwork, updates: Int = 0, decay: Double = 0.9999, tau: Double = 2000) {
        ema = model.clone()
        self.updates = updates
        self.decay = decay
        self.tau = tau
        pairs = zip(ema.stateDict(), model.stateDict())
            .filter { !$0.0.0.hasSuffix("num_batches_tracked") }
            .map { ($0.0.1, $0.1.1) }
    }

    /// The decay used for update number `u`.
    public func decay(at u: Int) -> Double { decay * (1 - exp(-Double(u) / tau)) }

    /// One update: `ema ← lerp(ema, model, 1 − d)` with torch's two-sided lerp formula.
    public func update() {
        updates += 1
        let w = Float(1 - decay(at: updates))
        for (e, m) in pairs {
            let pe = e.pointer, pm = m.pointer
            if w < 0.5 {
                for i in 0..<e.count { pe[i] = pe[i] + w * (pm[i] - pe[i]) }
            } else {
                let c = 1 - w
                for i in 0..<e.count { pe[i] = pm[i] - (pm[i] - pe[i]) * c }
            }
            e.markModified()
        }
    }
}
