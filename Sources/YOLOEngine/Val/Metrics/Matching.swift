import Foundation

/// Matching of predictions to ground truth for validation (spec §5.3).
///
/// Everything is in letterboxed input pixels. Similarities are computed in Float (the reference works in float32),
/// with the same order of operations as described in the spec so that values near a threshold fall on the same side.

/// Keypoint sigmas for the object keypoint similarity (spec §4.8).
public enum OKS {
    /// The COCO person sigmas (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles; left before right):
    /// (0.26, 0.25, …, 0.89) / 10, with the division done in Float (so σ₀ is 0.025999999, not the Float nearest
    /// 0.026), as the reference's float32 sigma array is.
    public static let cocoSigmas: [Float] = ([0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62,
                                              1.07, 1.07, 0.87, 0.87, 0.89, 0.89] as [Float]).map { $0 / 10 }

    /// Errors for an invalid `kpt_oks_sigmas` override.
    public enum SigmaError: Error, Equatable, CustomStringConvertible {
        case invalidOverride(expectedCount: Int, got: [Float])
        public var description: String {
            switch self {
            case let .invalidOverride(n, got): return "'kpt_oks_sigmas' must be \(n) positive values, got \(got)"
            }
        }
    }

    /// The sigmas for `count` keypoints with `dims` values each (2 or 3).
    /// * `override` (the dataset's `kpt_oks_sigmas`) wins when given; it must hold `count` positive values.
    /// * Else the COCO sigmas when the keypoint shape is exactly [17, 3].
    /// * Else 1/K for every keypoint (also for [17, 2]).
    public static func sigmas(count: Int, dims: Int = 3, override: [Float]? = nil) throws -> [Float] {
        if let o = override, !o.isEmpty {
            guard o.count == count, o.allSatisfy({ $0 > 0 }) else {
                throw SigmaError.invalidOverride(expectedCount: count, got: o)
            }
            return o
        }
        if count == 17 && dims == 3 { return cocoSigmas }
        return [Float](repeating: Float(1.0 / Double(count)), count: count)
    }
}

public enum Matching {
    /// The 10 thresholds linspace(0.5, 0.95, 10) in Float: 0.5, 0.55, …, 0.95 (each the Float nearest the decimal).
    public static let iouThresholds: [Float] = (0..<10).map { Float(0.5 + 0.05 * Double($0)) }

    /// The GT-area factor used for OKS: area = GT box w·h · 0.53.
    public static let oksAreaFactor: Float = 0.53

    /// Plain IoU matrix, GT × pred (xyxy, input pixels): inter / (area_g + area_p − inter + 1e-7).
    /// Classes are not looked at here; `match` zeroes the wrong-class pairs.
    public static func boxIoU(_ gt: [SIMD4<Float>], _ pred: [SIMD4<Float>]) -> [[Float]] {
        let eps: Float = 1e-7
        return gt.map { a in
            let areaA = (a.z - a.x) * (a.w - a.y)
            return pred.map { b in
                let iw = max(min(a.z, b.z) - max(a.x, b.x), 0)
                let ih = max(min(a.w, b.w) - max(a.y, b.y), 0)
                let inter = iw * ih
                let areaB = (b.z - b.x) * (b.w - b.y)
                return inter / (areaA + areaB - inter + eps)
            }
        }
    }

    /// OKS areas for GT boxes (xyxy): (x2 − x1)·(y2 − y1)·0.53.
    public static func oksAreas(_ gtBoxes: [SIMD4<Float>]) -> [Float] {
        gtBoxes.map { ($0.z - $0.x) * ($0.w - $0.y) * oksAreaFactor }
    }

    /// OKS matrix, GT × pred. `gt[g][k]` is (x, y, visibility) in input pixels; a keypoint counts when its
    /// visibility is not 0. `pred[p][k]` is (x, y[, conf]); only x and y are used.
    /// OKS = Σ_k exp(−d_k / ((2σ_k)²·(area + 1e-7)·2))·[v ≠ 0] / (Σ_k [v ≠ 0] + 1e-7).
    public static func oks(gt: [[SIMD3<Float>]], gtAreas: [Float], pred: [[SIMD2<Float>]],
                           sigmas: [Float]) -> [[Float]] {
        precondition(gt.count == gtAreas.count, "one area per GT instance")
        let eps: Float = 1e-7
        let twoSigmaSq = sigmas.map { (2 * $0) * (2 * $0) }
        return gt.enumerated().map { g, gk in
            precondition(gk.count == sigmas.count, "one sigma per keypoint")
            let areaEps = gtAreas[g] + eps
            let denom = twoSigmaSq.map { $0 * areaEps * 2 }
            var labelled = 0
            for k in gk where k.z != 0 { labelled += 1 }
            let count = Float(labelled) + eps
            return pred.map { pk in
                precondition(pk.count == gk.count, "GT and prediction keypoint counts differ")
                var s: Float = 0
                for k in 0..<gk.count where gk[k].z != 0 {
                    let dx = gk[k].x - pk[k].x, dy = gk[k].y - pk[k].y
                    let d = dx * dx + dy * dy
                    s += (-(d / denom[k])).exp()
                }
                return s / count
            }
        }
    }

    /// OKS with predicted keypoints given as (x, y, conf); the confidence is ignored.
    public static func oks(gt: [[SIMD3<Float>]], gtAreas: [Float], pred: [[SIMD3<Float>]],
                           sigmas: [Float]) -> [[Float]] {
        oks(gt: gt, gtAreas: gtAreas, pred: pred.map { $0.map { SIMD2($0.x, $0.y) } }, sigmas: sigmas)
    }

    /// Greedy matching, the same for boxes (IoU) and pose (OKS). `similarity` is GT × pred; pairs whose classes
    /// differ count as 0. Predictions are visited in the given order (descending confidence); at each threshold
    /// independently a prediction takes the most similar GT not yet claimed at that threshold (first index on ties)
    /// and is a TP there when that similarity is ≥ the threshold, which claims the GT.
    /// Returns tp[pred][threshold].
    public static func match(similarity: [[Float]], gtClasses: [Int], predClasses: [Int],
                             thresholds: [Float] = iouThresholds) -> [[Bool]] {
        let nG = gtClasses.count, nP = predClasses.count
        var tp = [[Bool]](repeating: [Bool](repeating: false, count: thresholds.count), count: nP)
        guard nG > 0, nP > 0 else { return tp }
        precondition(similarity.count == nG && similarity.allSatisfy { $0.count == nP }, "similarity must be GT × pred")
        let minThreshold = thresholds.min() ?? 0
        var claimed = [[Bool]](repeating: [Bool](repeating: false, count: nG), count: thresholds.count)
        var column = [Float](repeating: 0, count: nG)
        for p in 0..<nP {
            var best: Float = 0
            for g in 0..<nG {
                column[g] = gtClasses[g] == predClasses[p] ? similarity[g][p] : 0
                best = max(best, column[g])
            }
            if !(best >= minThreshold) { continue }
            for (t, thr) in thresholds.enumerated() {
                var bestG = -1
                var bestV = -Float.infinity
                for g in 0..<nG where !claimed[t][g] && column[g] > bestV {
                    bestV = column[g]
                    bestG = g
                }
                if bestG >= 0 && bestV >= thr {
                    tp[p][t] = true
                    claimed[t][bestG] = true
                }
            }
        }
        return tp
    }
}

private extension Float {
    /// exp evaluated in Double and rounded once.
    func exp() -> Float { Float(Foundation.exp(Double(self))) }
}
