/// How a track's Kalman state parametrises its box: ByteTrack uses centre, aspect ratio and height (`xyah`);
/// BoT-SORT and TrackTrack use centre, width and height (`xywh`). Both states have 8 entries: the four box values
/// followed by their velocities.
public enum BoxState: Sendable {
    case xyah
    case xywh
}

/// A constant-velocity Kalman filter over an 8-dimensional box state, in `Double`, as the trackers of
/// Ultralytics 8.4.190 run it (position noise 1/20 and velocity noise 1/160 of the box size; the `xyah` form
/// gives the aspect ratio fixed noise).
public struct KalmanFilter: Sendable {
    public let form: BoxState
    static let stdPosition = 1.0 / 20
    static let stdVelocity = 1.0 / 160

    public init(_ form: BoxState) { self.form = form }

    /// Per-entry standard deviations of the four box values, scaled by `w` (position or velocity weight);
    /// `aspectStd` replaces the aspect-ratio entry in the `xyah` form.
    private func scaledStd(_ mean: [Double], weight w: Double, aspectStd: Double) -> [Double] {
        switch form {
        case .xyah: return [w * mean[3], w * mean[3], aspectStd, w * mean[3]]
        case .xywh: return [w * mean[2], w * mean[3], w * mean[2], w * mean[3]]
        }
    }

    /// The state of a new track from one measurement: zero velocity, covariance from the box size.
    public func initiate(_ measurement: [Double]) -> (mean: [Double], covariance: [Double]) {
        precondition(measurement.count == 4, "KalmanFilter.initiate: \(measurement.count) values, expected 4")
        let mean = measurement + [0, 0, 0, 0]
        let pos = scaledStd(mean, weight: 2 * Self.stdPosition, aspectStd: 1e-2)
        let vel = scaledStd(mean, weight: 10 * Self.stdVelocity, aspectStd: 1e-5)
        var cov = [Double](repeating: 0, count: 64)
        for (i, s) in (pos + vel).enumerated() { cov[i * 9] = s * s }
        return (mean, cov)
    }

    /// One prediction step: x ← F x, P ← F P Fᵀ + Q, with F adding each velocity to its value.
    public func predict(mean: [Double], covariance p: [Double]) -> (mean: [Double], covariance: [Double]) {
        let pos = scaledStd(mean, weight: Self.stdPosition, aspectStd: 1e-2)
        let vel = scaledStd(mean, weight: Self.stdVelocity, aspectStd: 1e-5)
        var m = mean
        for i in 0..<4 { m[i] = mean[i] + mean[i + 4] }
        // F P: rows 0-3 gain the velocity rows; then (F P) Fᵀ: columns 0-3 gain the velocity columns.
        var fp = p
        for i in 0..<4 { for j in 0..<8 { fp[i * 8 + j] = p[i * 8 + j] + p[(i + 4) * 8 + j] } }
        var out = fp
        for i in 0..<8 { for j in 0..<4 { out[i * 8 + j] = fp[i * 8 + j] + fp[i * 8 + j + 4] } }
        for (i, s) in (pos + vel).enumerated() { out[i * 9] += s * s }
        return (m, out)
    }

    /// The correction step with a 4-value measurement; `confidence` scales the measurement noise by
    /// max(1 − confidence, 0.05) (NSA Kalman, used by TrackTrack).
    public func update(mean: [Double], covariance p: [Double], measurement z: [Double],
                       confidence: Double? = nil) -> (mean: [Double], covariance: [Double]) {
        precondition(z.count == 4, "KalmanFilter.update: \(z.count) values, expected 4")
        var r = scaledStd(mean, weight: Self.stdPosition, aspectStd: 1e-1).map { $0 * $0 }
        if let c = confidence { r = r.map { $0 * max(1 - c, 0.05) } }
        // S = H P Hᵀ + R (the top-left 4×4 block plus the noise).
        var s = [Double](repeating: 0, count: 16)
        for i in 0..<4 { for j in 0..<4 { s[i * 4 + j] = p[i * 8 + j] } }
        for i in 0..<4 { s[i * 5] += r[i] }
        // K = P Hᵀ S⁻¹: solve S X = (P Hᵀ)ᵀ (4×8), K = Xᵀ.
        var rhs = [Double](repeating: 0, count: 32)
        for i in 0..<4 { for j in 0..<8 { rhs[i * 8 + j] = p[j * 8 + i] } }
        let x = Self.solve(s, rhs, columns: 8)
        var k = [Double](repeating: 0, count: 32)  // 8×4
        for i in 0..<8 { for j in 0..<4 { k[i * 4 + j] = x[j * 8 + i] } }
        var newMean = mean
        let innovation = (0..<4).map { z[$0] - mean[$0] }
        for i in 0..<8 {
            var acc = 0.0
            for j in 0..<4 { acc += innovation[j] * k[i * 4 + j] }
            newMean[i] = mean[i] + acc
        }
        // P − K S Kᵀ
        var ks = [Double](repeating: 0, count: 32)
        for i in 0..<8 { for j in 0..<4 {
            var acc = 0.0
            for t in 0..<4 { acc += k[i * 4 + t] * s[t * 4 + j] }
            ks[i * 4 + j] = acc
        } }
        var newCov = p
        for i in 0..<8 { for j in 0..<8 {
            var acc = 0.0
            for t in 0..<4 { acc += ks[i * 4 + t] * k[j * 4 + t] }
            newCov[i * 8 + j] = p[i * 8 + j] - acc
        } }
        return (newMean, newCov)
    }

    /// Solves A X = B for a 4×4 `a` and a 4×`columns` `b` by Gaussian elimination with partial pivoting
    /// (LAPACK's gesv pivots the same way).
    static func solve(_ a: [Double], _ b: [Double], columns n: Int) -> [Double] {
        var a = a, b = b
        for c in 0..<4 {
            var piv = c
            for r in (c + 1)..<4 where abs(a[r * 4 + c]) > abs(a[piv * 4 + c]) { piv = r }
            if piv != c {
                for j in 0..<4 { a.swapAt(c * 4 + j, piv * 4 + j) }
                for j in 0..<n { b.swapAt(c * n + j, piv * n + j) }
            }
            let d = a[c * 4 + c]
            guard d != 0 else { continue }
            for r in (c + 1)..<4 {
                let f = a[r * 4 + c] / d
                if f == 0 { continue }
                for j in c..<4 { a[r * 4 + j] -= f * a[c * 4 + j] }
                for j in 0..<n { b[r * n + j] -= f * b[c * n + j] }
            }
        }
        var x = [Double](repeating: 0, count: 4 * n)
        for r in stride(from: 3, through: 0, by: -1) {
            let d = a[r * 4 + r]
            for j in 0..<n {
                var v = b[r * n + j]
                for t in (r + 1)..<4 { v -= a[r * 4 + t] * x[t * n + j] }
                x[r * n + j] = d != 0 ? v / d : 0
            }
        }
        return x
    }
}
