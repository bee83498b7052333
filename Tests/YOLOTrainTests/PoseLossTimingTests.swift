import Foundation
import XCTest
import YOLOData
import YOLOEngine
@testable import YOLOModel
import YOLOTensor
@testable import YOLOTrain

/// Loss cost at the largest training configuration the brief names: batch 16 at 640 (8400 anchors), 50 objects
/// per image of 8–320 px, 17×3 keypoints.
final class PoseLossTimingTests: XCTestCase {
    func testBatch16At640() {
        var rng = SeededGenerator(seed: 99)
        func uniform(_ n: Int, _ lo: Float, _ hi: Float) -> [Float] {
            (0..<n).map { _ in Float.random(in: lo...hi, using: &rng) }
        }
        let batch = 16, nc = 1, kv = 51
        let levels = [(80, 80), (40, 40), (20, 20)].map { h, w -> HeadLevel in
            let box = uniform(batch * h * w * 64, -1, 1).enumerated().map { $0.element - 0.4 * Float($0.offset % 16) }
            return HeadLevel(box: Tensor(shape: [batch, h, w, 64], values: box, requiresGrad: true),
                             cls: Tensor(shape: [batch, h, w, nc], values: uniform(batch * h * w * nc, -6, 1), requiresGrad: true),
                             kpt: Tensor(shape: [batch, h, w, kv], values: uniform(batch * h * w * kv, -1, 1), requiresGrad: true))
        }
        let labels: [[PoseLabel]] = (0..<batch).map { _ in
            (0..<50).map { _ in
                let w = Float.random(in: 8...320, using: &rng) / 640, h = Float.random(in: 8...320, using: &rng) / 640
                let cx = Float.random(in: w / 2...1 - w / 2, using: &rng), cy = Float.random(in: h / 2...1 - h / 2, using: &rng)
                let kp = (0..<17).map { i -> SIMD3<Float> in
                    i % 3 == 0 ? .zero : SIMD3(cx + Float.random(in: -w / 2...w / 2, using: &rng),
                                               cy + Float.random(in: -h / 2...h / 2, using: &rng), 2)
                }
                return PoseLabel(cls: 0, box: SIMD4(cx, cy, w, h), keypoints: kp)
            }
        }
        let loss = PoseLoss(nc: nc, kptShape: [17, 3], strides: [8, 16, 32], sigmas: try! OKS.sigmas(count: 17, dims: 3))
        var forward = Double.infinity, backward = Double.infinity, nfg = 0
        for _ in 0..<2 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (total, _) = loss(levels, labels: labels)
            let t1 = DispatchTime.now().uptimeNanoseconds
            total.backward()
            let t2 = DispatchTime.now().uptimeNanoseconds
            forward = min(forward, Double(t1 - t0) / 1e6)
            backward = min(backward, Double(t2 - t1) / 1e6)
            for lv in levels { lv.box.grad = nil; lv.cls.grad = nil; lv.kpt!.grad = nil }
        }
        nfg = loss.evaluate(levels, labels: labels).foreground.count
        print(String(format: "PoseLoss timing batch 16 @ 640, 800 objects, %d foreground: forward %.1f ms, backward %.1f ms",
                     nfg, forward, backward))
        XCTAssertLessThan(forward + backward, 2000)
    }
}
