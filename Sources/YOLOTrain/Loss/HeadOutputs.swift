import Foundation
import YOLOModel
import YOLOTensor

/// Read access to the raw head outputs of a batch by (image, global anchor): box-distribution logits, class logits
/// and raw keypoints, each NHWC per level.
struct HeadOutputs {
    let grid: AnchorGrid
    let regMax: Int, nc: Int, kptValues: Int
    let box: [UnsafeMutablePointer<Float>], cls: [UnsafeMutablePointer<Float>], kpt: [UnsafeMutablePointer<Float>]

    init(_ levels: [HeadLevel], grid: AnchorGrid, regMax: Int, nc: Int, kptValues: Int) {
        self.grid = grid
        self.regMax = regMax
        self.nc = nc
        self.kptValues = kptValues
        box = levels.map { $0.box.pointer }
        cls = levels.map { $0.cls.pointer }
        kpt = levels.map { $0.kpt!.pointer }
    }

    /// Row of (image b, anchor a) within its level's NHWC tensor.
    @inline(__always) func row(_ b: Int, _ a: Int) -> (level: Int, row: Int) {
        let l = Int(grid.level[a])
        let lv = grid.levels[l]
        return (l, b * lv.h * lv.w + Int(grid.local[a]))
    }

    @inline(__always) func boxLogits(_ b: Int, _ a: Int) -> UnsafeMutablePointer<Float> {
        let (l, r) = row(b, a)
        return box[l] + r * 4 * regMax
    }

    @inline(__always) func classLogits(_ b: Int, _ a: Int) -> UnsafeMutablePointer<Float> {
        let (l, r) = row(b, a)
        return cls[l] + r * nc
    }

    @inline(__always) func keypoints(_ b: Int, _ a: Int) -> UnsafeMutablePointer<Float> {
        let (l, r) = row(b, a)
        return kpt[l] + r * kptValues
    }

    /// Softmax of each side's `regMax` logits into `probs` (4·regMax values) and the expected distances (l, t, r, b)
    /// in grid units: Σ k·p_k (spec §4.3).
    func distances(_ b: Int, _ a: Int, probs: UnsafeMutablePointer<Float>) -> SIMD4<Float> {
        let z = boxLogits(b, a)
        var d = SIMD4<Float>()
        for s in 0..<4 {
            let zs = z + s * regMax, ps = probs + s * regMax
            var m = zs[0]
            for k in 1..<regMax where zs[k] > m { m = zs[k] }
            var sum: Float = 0
            for k in 0..<regMax {
                let e = Foundation.exp(zs[k] - m)
                ps[k] = e
                sum += e
            }
            var expect: Float = 0
            for k in 0..<regMax {
                ps[k] /= sum
                expect += Float(k) * ps[k]
            }
            d[s] = expect
        }
        return d
    }

    /// The decoded box of (image b, anchor a), xyxy in grid units.
    func gridBox(_ b: Int, _ a: Int) -> SIMD4<Float> {
        let z = boxLogits(b, a)
        let d = SIMD4<Float>(expectation(z), expectation(z + regMax), expectation(z + 2 * regMax),
                             expectation(z + 3 * regMax))
        let ax = grid.x[a], ay = grid.y[a]
        return SIMD4(ax - d[0], ay - d[1], ax + d[2], ay + d[3])
    }

    /// Σ k·softmax(z)_k over `regMax` logits, in the reference's order (probabilities first, then the weighted sum).
    @inline(__always) func expectation(_ z: UnsafeMutablePointer<Float>) -> Float {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: regMax) { e in
            var m = z[0]
            for k in 1..<regMax where z[k] > m { m = z[k] }
            var sum: Float = 0
            for k in 0..<regMax {
                e[k] = Foundation.exp(z[k] - m)
                sum += e[k]
            }
            var expect: Float = 0
            for k in 0..<regMax { expect += Float(k) * (e[k] / sum) }
            return expect
        }
    }
}

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

/// Binary cross-entropy with logits for one element, max(x, 0) − x·t + log(1 + e^−|x|), in Double.
@inline(__always) func bceWithLogits(_ x: Float, _ t: Float) -> Double {
    let xd = Double(x)
    return max(xd, 0) - xd * Double(t) + Foundation.log1p(Foundation.exp(-abs(xd)))
}
