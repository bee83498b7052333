import XCTest
import YOLOData
@testable import YOLOModel
import YOLOTensor
@testable import YOLOTrain

/// A small synthetic batch: strides 8/16/32 on a 64×96 input (levels 8×12, 4×6, 2×3), random head outputs, and
/// objects including two overlapping boxes, one smaller than 16 px and keypoints with v = 0.
struct SyntheticBatch {
    let levels: [HeadLevel]
    let labels: [[PoseLabel]]
    let loss: PoseLoss

    init(nc: Int, k: Int, d: Int, seed: UInt64, batch: Int = 2) {
        var rng = SeededGenerator(seed: seed)
        func uniform(_ n: Int, _ lo: Float, _ hi: Float) -> [Float] {
            (0..<n).map { _ in Float.random(in: lo...hi, using: &rng) }
        }
        let (height, width): (Float, Float) = (64, 96)
        levels = [(8, 12), (4, 6), (2, 3)].map { h, w in
            // Box logits falling with the bin index: distances of 1–2 cells, so predictions overlap the objects.
            let box = uniform(batch * h * w * 64, -1, 1).enumerated().map { $0.element - 0.6 * Float($0.offset % 16) }
            return HeadLevel(box: Tensor(shape: [batch, h, w, 64], values: box, requiresGrad: true),
                      cls: Tensor(shape: [batch, h, w, nc], values: uniform(batch * h * w * nc, -3, 1), requiresGrad: true),
                      kpt: Tensor(shape: [batch, h, w, k * d], values: uniform(batch * h * w * k * d, -1, 1),
                                  requiresGrad: true))
        }
        // (image, class, cx, cy, w, h) in pixels.
        let objects: [(Int, Int, Float, Float, Float, Float)] = [
            (0, 0, 30, 30, 40, 30), (0, nc - 1, 36, 34, 30, 26), (0, nc - 1, 70, 12, 6, 5), (1, 0, 50, 40, 60, 40),
        ]
        var labels = [[PoseLabel]](repeating: [], count: batch)
        for (image, cls, cx, cy, w, h) in objects where image < batch {
            var points: [SIMD3<Float>] = []
            for i in 0..<k {
                let v: Float = [2, 0, 1, 2][i % 4]
                let x = v == 0 ? 0 : (cx + Float.random(in: -w / 2...w / 2, using: &rng)) / width
                let y = v == 0 ? 0 : (cy + Float.random(in: -h / 2...h / 2, using: &rng)) / height
                points.append(SIMD3(x, y, v))
            }
            labels[image].append(PoseLabel(cls: cls, box: SIMD4(cx / width, cy / height, w / width, h / height),
                                           keypoints: points))
        }
        self.labels = labels
        loss = PoseLoss(nc: nc, kptShape: [k, d], strides: [8, 16, 32],
                        sigmas: [Float](repeating: 1 / Float(k), count: k))
    }
}

/// Analytic d(total)/d(head outputs) against central differences of the loss with the assignment, target scores,
/// their sum and CIoU's α held fixed (the constants of the backward rule).
final class PoseLossGradientCheckTests: XCTestCase {
    /// Checks a set of coordinates: each is (level, kind 0 box / 1 cls / 2 kpt, flat index).
    func check(_ batch: SyntheticBatch, _ name: String, coordinates: [(Int, Int, Int)], h: Float = 1e-2) {
        let state = batch.loss.evaluate(batch.levels, labels: batch.labels)
        XCTAssertFalse(state.foreground.isEmpty, "\(name): the synthetic batch should have foreground anchors")
        state.fixedAlpha = state.foreground.map { f in
            let probs = UnsafeMutablePointer<Float>.allocate(capacity: 64)
            defer { probs.deallocate() }
            return CIoU.alpha(state.head.gridBox(f.image, f.anchor), f.target)
        }
        let analytic = state.gradients(scale: 1)
        var nonzero = [0, 0, 0]
        var worst = 0.0
        defer { print("gradient check \(name): \(coordinates.count) coordinates, worst |a − n| / tolerance \(worst)") }
        defer { XCTAssert(nonzero.allSatisfy { $0 > 3 }, "\(name): nonzero gradients per kind \(nonzero)") }
        for (level, kind, index) in coordinates {
            let lv = batch.levels[level]
            let t = [lv.box, lv.cls, lv.kpt!][kind]
            let v = t.pointer[index]
            t.pointer[index] = v + h
            state.computeItems()
            let plus = state.exactTotal
            t.pointer[index] = v - h
            state.computeItems()
            let minus = state.exactTotal
            t.pointer[index] = v
            let numeric = (plus - minus) / Double(2 * h)
            let exact = Double(analytic[level * 3 + kind]!.pointer[index])
            if exact != 0 { nonzero[kind] += 1 }
            let label = "\(name) level \(level) \(["box", "cls", "kpt"][kind])[\(index)]"
            worst = max(worst, abs(exact - numeric) / (1e-5 + 3e-3 * abs(numeric)))
            XCTAssertEqual(exact, numeric, accuracy: 1e-5 + 3e-3 * abs(numeric), label)
        }
    }

    /// Coordinates at foreground anchors (all four DFL sides, class logits, every keypoint channel), plus background
    /// anchors' class logits, box logits and keypoints.
    func coordinates(_ batch: SyntheticBatch, maxAnchors: Int = 6) -> [(Int, Int, Int)] {
        let state = batch.loss.evaluate(batch.levels, labels: batch.labels)
        let head = state.head
        var out: [(Int, Int, Int)] = []
        for f in state.foreground.prefix(maxAnchors) {
            let (l, r) = head.row(f.image, f.anchor)
            for side in 0..<4 { for k in [0, 3, 7, 12] { out.append((l, 0, r * 64 + side * 16 + k)) } }
            for c in 0..<head.nc { out.append((l, 1, r * head.nc + c)) }
            for c in 0..<head.kptValues { out.append((l, 2, r * head.kptValues + c)) }
        }
        let fg = Set(state.foreground.map { [$0.image, $0.anchor] })
        for a in stride(from: 0, to: head.grid.count, by: 17) where !fg.contains([1, a]) {
            let (l, r) = head.row(1, a)
            out.append((l, 1, r * head.nc))
            out.append((l, 0, r * 64 + 5))
            out.append((l, 2, r * head.kptValues))
        }
        return out
    }

    func testKeypointsWithVisibility() {
        let batch = SyntheticBatch(nc: 2, k: 4, d: 3, seed: 11)
        check(batch, "K4 D3 nc2", coordinates: coordinates(batch))
    }

    func testKeypointsWithoutVisibility() {
        let batch = SyntheticBatch(nc: 1, k: 3, d: 2, seed: 12)
        check(batch, "K3 D2 nc1", coordinates: coordinates(batch))
    }

    /// The CIoU gradient alone, against central differences in Double of the same formula with α fixed.
    func testCIoUGradient() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            func box() -> SIMD4<Float> {
                let x = Float.random(in: 0...10, using: &rng), y = Float.random(in: 0...10, using: &rng)
                return SIMD4(x, y, x + Float.random(in: 0.2...6, using: &rng), y + Float.random(in: 0.2...6, using: &rng))
            }
            let a = box(), b = box()
            let alpha = CIoU.alpha(a, b)
            let g = CIoU.gradient(a, b)
            let h: Float = 1e-2
            for i in 0..<4 {
                // Skip coordinates within reach of a kink of min/max (same-axis coordinates of the two boxes).
                if [i & 1, (i & 1) + 2].contains(where: { abs(a[i] - b[$0]) < 3 * h }) { continue }
                var p = a, m = a
                p[i] += h
                m[i] -= h
                let numeric = Double(CIoU.value(p, b, alpha: alpha) - CIoU.value(m, b, alpha: alpha)) / Double(2 * h)
                XCTAssertEqual(g[i], numeric, accuracy: 2e-3 + 1e-2 * abs(numeric), "CIoU \(a) \(b) coordinate \(i)")
            }
        }
    }
}
