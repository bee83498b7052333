import Foundation

/// The random draws of the training augmentation, named after the reference's calls.
///
/// The reference draws from two streams: Python's `random` (mosaic, perspective, mix probabilities, flips, channel
/// order) and NumPy's (HSV gains, MixUp ratio, CutMix areas). Every transform asks for its draws here in the
/// reference's order per stream, so a recorded sequence of reference draws can be replayed (tests), while training
/// uses `SeededAugmentRandom`. Python's and NumPy's generators themselves are not reproduced.
public protocol AugmentRandom {
    /// `random.uniform(lo, hi)`.
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double
    /// `random.random()`: [0, 1).
    mutating func random() -> Double
    /// One pick of `random.choices(population, k=…)` from a population of `count`: a position in `0..<count`.
    mutating func choice(_ count: Int) -> Int
    /// `random.randint(0, count - 1)`.
    mutating func randint(_ count: Int) -> Int
    /// One value of `np.random.uniform(lo, hi, n)`.
    mutating func npUniform(_ lo: Double, _ hi: Double) -> Double
    /// `np.random.beta(a, b)`.
    mutating func npBeta(_ a: Double, _ b: Double) -> Double
    /// `np.random.randint(count)`.
    mutating func npRandint(_ count: Int) -> Int
    /// `np.random.choice(array of count)`: a position in `0..<count`.
    mutating func npChoice(_ count: Int) -> Int
}

/// The augmentation's generator in training: one per sample, seeded from the run seed, the epoch and the sample's
/// position, so batches depend on nothing else (not on worker threads or timing).
public struct SeededAugmentRandom: AugmentRandom, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator of sample `position` of `epoch` for run seed `seed`.
    public init(seed: UInt64, epoch: Int, position: Int) {
        var s = SeededAugmentRandom(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        let a = s.next(), b = UInt64(bitPattern: Int64(epoch)) &* 0xD6E8_FEB8_6659_FD93
        let c = UInt64(bitPattern: Int64(position)) &* 0xA076_1D64_78BD_642F
        self.init(seed: a ^ b ^ c)
        _ = next()
    }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func random() -> Double { Double(next() >> 11) * 0x1p-53 }
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * random() }
    public mutating func choice(_ count: Int) -> Int { below(count) }
    public mutating func randint(_ count: Int) -> Int { below(count) }
    public mutating func npUniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * random() }
    public mutating func npRandint(_ count: Int) -> Int { below(count) }
    public mutating func npChoice(_ count: Int) -> Int { below(count) }

    public mutating func npBeta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(a), y = gamma(b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// Uniform integer in 0..<count (count ≥ 1), without modulo bias.
    private mutating func below(_ count: Int) -> Int {
        precondition(count > 0, "SeededAugmentRandom: empty range")
        let n = UInt64(count)
        let limit = UInt64.max - UInt64.max % n
        while true {
            let v = next()
            if v < limit { return Int(v % n) }
        }
    }

    private mutating func normal() -> Double {
        // Box–Muller on (0, 1].
        let u1 = 1 - random(), u2 = random()
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Marsaglia–Tsang gamma variate with unit scale.
    private mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 {
            let u = 1 - random()
            return gamma(shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            var v = 1 + c * x
            if v <= 0 { continue }
            v = v * v * v
            let u = 1 - random()
            if Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v }
        }
    }
}
