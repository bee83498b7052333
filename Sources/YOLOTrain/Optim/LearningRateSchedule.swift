import Foundation

/// The epoch learning-rate factor `lf(e)` (spec train-and-val §2.9): linear from 1 to `lrf` over `epochs`, or the
/// one-cycle cosine when `cosine`.
public struct LearningRateSchedule: Sendable {
    public var epochs: Int
    public var lrf: Double
    public var cosine: Bool

    public init(epochs: Int, lrf: Double, cosine: Bool) {
        self.epochs = epochs
        self.lrf = lrf
        self.cosine = cosine
    }

    /// lf(e) for 0-based epoch `e`.
    public func factor(_ e: Int) -> Double {
        let E = Double(max(epochs, 1)), x = Double(e)
        if cosine { return max((1 - cos(x * Double.pi / E)) / 2, 0) * (lrf - 1) + 1 }
        return max(1 - x / E, 0) * (1 - lrf) + lrf
    }
}

/// Warmup over the first `iterations` batches (spec §2.8): accumulation, learning rates and momentum ramp
/// linearly from their start values to the schedule's.
public struct Warmup: Sendable {
    /// nw: number of warmup batches (0 = none).
    public let iterations: Int

    /// `min(warmup_epochs, max(epochs − 1, 0))` epochs of `batches` batches, rounded half to even.
    public init(warmupEpochs: Double, epochs: Int, batches: Int) {
        let e = min(warmupEpochs, Double(max(epochs - 1, 0)))
        iterations = e > 0 ? Int((e * Double(batches)).rounded(.toNearestOrEven)) : 0
    }

    /// Whether batch `ni` is inside the warmup (`nw > 0 && ni ≤ nw`).
    public func isActive(_ ni: Int) -> Bool { iterations > 0 && ni <= iterations }

    /// numpy.interp over [0, nw].
    public func interp(_ ni: Int, from a: Double, to b: Double) -> Double {
        guard iterations > 0, ni < iterations else { return b }
        if ni <= 0 { return a }
        return (b - a) / Double(iterations) * Double(ni) + a
    }

    /// Accumulation at batch `ni`: max(1, round(interp(ni, [1, acc0]))).
    public func accumulate(_ ni: Int, nominal: Int) -> Int {
        max(1, Int(interp(ni, from: 1, to: Double(nominal)).rounded(.toNearestOrEven)))
    }
}

extension Optimizer {
    /// Sets each group's learning rate (and momentum) for global batch `ni` in an epoch whose schedule factor is
    /// `factor`, as the reference's trainer does: `initial_lr·lf(epoch)`, overridden during warmup by a linear ramp
    /// from `warmupBiasLR` (bias groups) or 0 (others), and for optimizers with a momentum key a momentum ramp
    /// from `warmupMomentum` to `momentum`.
    public func applySchedule(factor: Double, ni: Int, warmup: Warmup, warmupBiasLR: Double,
                              warmupMomentum: Double, momentum: Double) {
        for i in groups.indices {
            let target = groups[i].initialLR * factor
            groups[i].lr = target
            guard warmup.isActive(ni) else { continue }
            groups[i].lr = warmup.interp(ni, from: groups[i].kind == "bias" ? warmupBiasLR : 0, to: target)
            if kind.hasMomentumKey { groups[i].momentum = warmup.interp(ni, from: warmupMomentum, to: momentum) }
        }
    }
}
