import XCTest
import YOLOData
import YOLOModel
import YOLOTensor
@testable import YOLOTrain

/// Empty batches, background images, objects below the 16 px candidate floor, unlabelled keypoints and grad mode.
final class PoseLossEdgeCaseTests: XCTestCase {
    private func grads(_ levels: [HeadLevel]) -> (box: [Float], cls: [Float], kpt: [Float]) {
        (levels.flatMap { $0.box.grad!.toArray() }, levels.flatMap { $0.cls.grad!.toArray() },
         levels.flatMap { $0.kpt!.grad!.toArray() })
    }

    func testNoLabelsGivesClassLossOnlyAndKeepsTheGraphConnected() {
        let b = SyntheticBatch(nc: 2, k: 4, d: 3, seed: 21)
        let (loss, items) = b.loss(b.levels, labels: [[], []])
        XCTAssertEqual(items[0], 0); XCTAssertEqual(items[1], 0); XCTAssertEqual(items[2], 0); XCTAssertEqual(items[4], 0)
        XCTAssertGreaterThan(items[3], 0)
        XCTAssertEqual(loss.item, items[3] * 2, accuracy: 1e-4 * loss.item)
        loss.backward()
        let g = grads(b.levels)  // every output gets a gradient tensor (zeros for box and keypoints)
        XCTAssertTrue(g.box.allSatisfy { $0 == 0 })
        XCTAssertTrue(g.kpt.allSatisfy { $0 == 0 })
        XCTAssertTrue(g.cls.allSatisfy { $0 > 0 }, "all-background targets push every class logit down")
    }

    func testBackgroundImageGetsNoForeground() {
        let b = SyntheticBatch(nc: 1, k: 4, d: 3, seed: 22)
        let labels = [b.labels[0], []]
        let state = b.loss.evaluate(b.levels, labels: labels)
        XCTAssertFalse(state.foreground.isEmpty)
        XCTAssertTrue(state.foreground.allSatisfy { $0.image == 0 })
        let (loss, _) = b.loss(b.levels, labels: labels)
        loss.backward()
        // Image 1's box and keypoint gradients are zero; its class gradients are not.
        for lv in b.levels {
            let per = lv.box.count / 2, perK = lv.kpt!.count / 2, perC = lv.cls.count / 2
            XCTAssertTrue(lv.box.grad!.toArray()[per...].allSatisfy { $0 == 0 })
            XCTAssertTrue(lv.kpt!.grad!.toArray()[perK...].allSatisfy { $0 == 0 })
            XCTAssertTrue(lv.cls.grad!.toArray()[perC...].allSatisfy { $0 > 0 })
        }
    }

    func testObjectsBelow16PixelsAreEnlargedForTheCandidateTest() {
        let b = SyntheticBatch(nc: 1, k: 4, d: 3, seed: 23)
        let grid = AnchorGrid(sizes: [(8, 12), (4, 6), (2, 3)], strides: [8, 16, 32])
        let assigner = b.loss.assigner
        // A 4×4 px box centred at (26, 26) holds no anchor centre (28 at stride 8 and 24 at stride 16 lie on its
        // edges, which the strict margin excludes); enlarged to 16×16 ([18, 34]) it holds four P3 anchors and one P4.
        let tiny = SIMD4<Float>(24, 24, 28, 28)
        XCTAssertEqual(grid.anchors(inside: tiny, eps: 1e-9), [])
        XCTAssertEqual(assigner.candidateBox(tiny), SIMD4(18, 18, 34, 34))
        let candidates = grid.anchors(inside: assigner.candidateBox(tiny), eps: 1e-9)
        XCTAssertEqual(candidates, [2 * 12 + 2, 2 * 12 + 3, 3 * 12 + 2, 3 * 12 + 3, 96 + 1 * 6 + 1])
        // Only the short side is enlarged.
        XCTAssertEqual(assigner.candidateBox(SIMD4(10, 30, 50, 34)), SIMD4(10, 24, 50, 40))
        // Such an object gets foreground anchors.
        let label = PoseLabel(cls: 0, box: SIMD4(26 / 96, 26 / 64, 4 / 96, 4 / 64),
                              keypoints: [SIMD3<Float>](repeating: SIMD3(26 / 96, 26 / 64, 2), count: 4))
        let state = b.loss.evaluate(b.levels, labels: [[label], []])
        XCTAssertFalse(state.foreground.isEmpty)
        XCTAssertTrue(Set(state.foreground.map(\.anchor)).isSubset(of: candidates))
    }

    func testUnlabelledKeypointsOnlyTrainObjectness() {
        let b = SyntheticBatch(nc: 1, k: 4, d: 3, seed: 24)
        let state = b.loss.evaluate(b.levels, labels: b.labels)
        let (loss, _) = b.loss(b.levels, labels: b.labels)
        loss.backward()
        var checked = 0
        for f in state.foreground {
            let (l, r) = state.head.row(f.image, f.anchor)
            let g = b.levels[l].kpt!.grad!.pointer + r * 12
            let raw = b.levels[l].kpt!.pointer + r * 12
            for i in 0..<4 where state.targets[f.image].keypoints[f.keypointStart + i].z == 0 {
                XCTAssertEqual(g[i * 3], 0)
                XCTAssertEqual(g[i * 3 + 1], 0)
                XCTAssertGreaterThan(g[i * 3 + 2], 0, "v = 0 is a negative for kobj")
                XCTAssertEqual(g[i * 3 + 2] / sigmoid(raw[i * 3 + 2]), g[2] / (sigmoid(raw[2]) - 1), accuracy: 1e-4,
                               "kobj gradient ∝ σ(x) − m with one coefficient")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testAnObjectWithoutLabelledKeypointsStillCountsInTheMean() {
        let b = SyntheticBatch(nc: 1, k: 4, d: 3, seed: 25)
        var labels = b.labels
        let (_, before) = b.loss(b.levels, labels: labels)
        let hidden = [SIMD3<Float>](repeating: .zero, count: 4)
        labels[1].append(PoseLabel(cls: 0, box: SIMD4(88 / 96, 10 / 64, 12 / 96, 12 / 64), keypoints: hidden))
        let state = b.loss.evaluate(b.levels, labels: labels)
        XCTAssertTrue(state.foreground.contains { $0.image == 1 && $0.gt == 1 })
        XCTAssertTrue(state.items.allSatisfy(\.isFinite))
        XCTAssertLessThan(state.items[1], before[1], "more instances, no added keypoint error: the mean falls")
    }

    func testNoGradientWorkUnderNoGrad() {
        let b = SyntheticBatch(nc: 1, k: 4, d: 3, seed: 26)
        let (loss, items) = withNoGrad { b.loss(b.levels, labels: b.labels) }
        XCTAssertFalse(loss.requiresGrad)
        let (recorded, same) = b.loss(b.levels, labels: b.labels)
        XCTAssertTrue(recorded.requiresGrad)
        XCTAssertEqual(items, same)
    }
}
