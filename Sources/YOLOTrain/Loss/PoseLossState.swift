import Foundation
import YOLOData
import YOLOModel
import YOLOTensor

/// One foreground anchor and its targets (grid units of the anchor's level).
struct Foreground {
    let image: Int, anchor: Int, gt: Int
    let cls: Int
    /// Target score of the assigned class (also the box/DFL weight w_a).
    let weight: Float
    /// The assigned GT box ÷ stride, xyxy.
    let target: SIMD4<Float>
    /// Offset of the GT's first keypoint in `PoseTargets.keypoints`.
    let keypointStart: Int
}

/// Everything the loss computed in its forward pass, kept for the backward rule.
final class PoseLossState {
    let levels: [HeadLevel]
    let head: HeadOutputs
    let targets: [PoseTargets]
    let foreground: [Foreground]
    let batch: Int
    let keypointCount: Int, keypointDims: Int
    let sigmas: [Float]
    let gains: LossGains
    /// max(Σ target scores, 1).
    let tss: Float
    /// Gain-weighted items (box, pose, kobj, cls, dfl) and their sum × batch.
    var items: [Float] = []
    var total: Float = 0
    /// The total before rounding to Float (gradient checks difference it).
    var exactTotal: Double = 0
    /// CIoU aspect weights to use instead of recomputing them, one per foreground anchor (gradient checks hold α
    /// fixed, as the backward rule does).
    var fixedAlpha: [Float]?

    init(levels: [HeadLevel], head: HeadOutputs, targets: [PoseTargets], foreground: [Foreground], batch: Int,
         kptShape: [Int], sigmas: [Float], gains: LossGains) {
        self.levels = levels
        self.head = head
        self.targets = targets
        self.foreground = foreground
        self.batch = batch
        keypointCount = kptShape[0]
        keypointDims = kptShape[1]
        self.sigmas = sigmas
        self.gains = gains
        tss = max(Float(foreground.reduce(0.0) { $0 + Double($1.weight) }), 1)
    }

    /// Upper end of the DFL target distances, regMax − 1 − 0.01.
    var dflClampMax: Float { Float(Double(head.regMax - 1) - 0.01) }

    /// The DFL target distances (l, t, r, b) of a foreground anchor, clamped to [0, regMax − 1.01].
    func dflTarget(_ f: Foreground) -> SIMD4<Float> {
        let ax = head.grid.x[f.anchor], ay = head.grid.y[f.anchor]
        let d = SIMD4<Float>(ax - f.target.x, ay - f.target.y, f.target.z - ax, f.target.w - ay)
        return d.clamped(lowerBound: SIMD4(repeating: 0), upperBound: SIMD4(repeating: dflClampMax))
    }

    /// The keypoint loss geometry of a foreground anchor: the target box area in grid cells².
    func area(_ f: Foreground) -> Float { (f.target.z - f.target.x) * (f.target.w - f.target.y) }

    /// Computes the five items (spec §4.7–4.9).
    func computeItems() {
        let g = head.grid
        let a = g.count, nc = head.nc, rm = head.regMax
        // Classification: BCE with logits against the soft one-hot targets, summed, ÷ tss.
        var clsSum = 0.0
        for b in 0..<batch {
            for anchor in 0..<a {
                let x = head.classLogits(b, anchor)
                for c in 0..<nc { clsSum += bceWithLogits(x[c], 0) }
            }
        }
        for f in foreground {
            let x = head.classLogits(f.image, f.anchor)[f.cls]
            clsSum += bceWithLogits(x, f.weight) - bceWithLogits(x, 0)
        }
        // Box (1 − CIoU) and DFL, weighted by the target score.
        var boxSum = 0.0, dflSum = 0.0
        for (n, f) in foreground.enumerated() {
            let pred = head.gridBox(f.image, f.anchor)
            boxSum += Double((1 - CIoU.value(pred, f.target, alpha: fixedAlpha?[n])) * f.weight)
            let t = dflTarget(f)
            let z = head.boxLogits(f.image, f.anchor)
            var sides: Float = 0
            for s in 0..<4 {
                let zs = z + s * rm
                var m = zs[0]
                for k in 1..<rm where zs[k] > m { m = zs[k] }
                var sum: Float = 0
                for k in 0..<rm { sum += Foundation.exp(zs[k] - m) }
                let logSum = Foundation.log(sum)
                let left = Int(t[s]), wl = Float(left + 1) - t[s], wr = 1 - wl
                let lpl = zs[left] - m - logSum, lpr = zs[left + 1] - m - logSum
                sides += -(lpl * wl + lpr * wr)
            }
            dflSum += Double(sides / 4 * f.weight)
        }
        // Keypoints: OKS-style location loss and objectness, averaged over N_fg × K.
        var poseSum = 0.0, kobjSum = 0.0
        let k = keypointCount, d = keypointDims
        for f in foreground {
            let raw = head.keypoints(f.image, f.anchor)
            let gts = targets[f.image].keypoints
            let stride = g.stride[f.anchor]
            let areaTerm = area(f) + 1e-9
            let labelled = (0..<k).reduce(0) { $0 + (gts[f.keypointStart + $1].z != 0 ? 1 : 0) }
            let factor = Float(k) / (Float(labelled) + 1e-9)
            for i in 0..<k {
                let p = gts[f.keypointStart + i]
                let m: Float = p.z != 0 ? 1 : 0
                if m != 0 {
                    let px = raw[i * d] * 2 + (g.x[f.anchor] - 0.5), py = raw[i * d + 1] * 2 + (g.y[f.anchor] - 0.5)
                    let dx = px - p.x / stride, dy = py - p.y / stride
                    let e = (dx * dx + dy * dy) / ((2 * sigmas[i]) * (2 * sigmas[i]) * areaTerm * 2)
                    poseSum += Double(factor * (1 - Foundation.exp(-e)))
                }
                if d == 3 { kobjSum += bceWithLogits(raw[i * d + 2], m) }
            }
        }
        let tssD = Double(tss)
        let perKeypoint = foreground.isEmpty ? 0 : 1 / Double(foreground.count * k)
        let exact = [boxSum / tssD * Double(gains.box), poseSum * perKeypoint * Double(gains.pose),
                     kobjSum * perKeypoint * Double(gains.kobj), clsSum / tssD * Double(gains.cls),
                     dflSum / tssD * Double(gains.dfl)]
        items = exact.map { Float($0) }
        exactTotal = exact.reduce(0, +) * Double(batch)
        total = Float(exactTotal)
    }
}
