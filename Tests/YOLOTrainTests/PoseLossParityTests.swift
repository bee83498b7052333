import XCTest
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOTrain

/// The loss on the reference's own head outputs (train mode, fixed batch; and two synthetic head outputs whose small
/// objects' top-k ends in ties at 0, on both of torch's selection paths) against the reference's v8PoseLoss:
/// assignment, the five items and d(total)/d(head outputs).
final class PoseLossParityTests: XCTestCase {
    static let cases = ["overfit", "overfit-sigmas", "overfit-background", "overfit-nolabels", "overfit-small",
                        "k12d2", "k5", "synthetic-160", "synthetic-256"]

    /// Per-anchor rows (image-major, anchor order of the reference) of one output kind from per-level NHWC tensors.
    static func anchorMajor(_ tensors: [Tensor], grid: AnchorGrid, batch: Int) -> [Float] {
        let c = tensors[0].shape[3]
        var out = [Float](repeating: 0, count: batch * grid.count * c)
        for (l, t) in tensors.enumerated() {
            let lv = grid.levels[l], hw = lv.h * lv.w
            for b in 0..<batch {
                for i in 0..<hw {
                    let src = t.pointer + (b * hw + i) * c
                    for k in 0..<c { out[((b * grid.count) + lv.start + i) * c + k] = src[k] }
                }
            }
        }
        return out
    }

    func testAssignmentMatchesReference() throws {
        for name in Self.cases {
            let fx = try LossFixture(name)
            let levels = try fx.levels()
            let state = fx.makeLoss().evaluate(levels, labels: fx.labels)
            let ref = try LossFixture.npy("\(name)-assign.npy")  // (B, A, 2 + nc): fg, gt idx, target scores
            let (a, w) = (ref.shape[1], ref.shape[2])
            XCTAssertEqual(a, state.head.grid.count)
            var refFg: [[Int]] = [], refGt: [Int] = []
            var ours: [[Int]] = state.foreground.map { [$0.image, $0.anchor] }
            for b in 0..<ref.shape[0] {
                for i in 0..<a where ref.values[(b * a + i) * w] != 0 {
                    refFg.append([b, i])
                    refGt.append(Int(ref.values[(b * a + i) * w + 1]))
                }
            }
            ours.sort { ($0[0], $0[1]) < ($1[0], $1[1]) }
            XCTAssertEqual(ours, refFg, "\(name): foreground anchors")
            XCTAssertEqual(state.foreground.count, fx.meta.n_fg, name)
            guard ours == refFg else { continue }
            XCTAssertEqual(state.foreground.map(\.gt), refGt, "\(name): assigned GT")
            var worst: Float = 0
            for f in state.foreground {
                let base = (f.image * a + f.anchor) * w
                for c in 0..<fx.meta.nc {
                    let expected = ref.values[base + 2 + c]
                    worst = max(worst, abs((c == f.cls ? f.weight : 0) - expected))
                }
            }
            XCTAssertLessThan(worst, 1e-5, "\(name): target scores")
            XCTAssertEqual(state.tss, fx.meta.tss, accuracy: 1e-5 * max(1, fx.meta.tss), name)
            // Positives whose alignment metric is 0 come from torch's top-k tie order (the synthetic cases have some).
            XCTAssertEqual(state.foreground.filter { $0.weight == 0 }.count, fx.meta.zero_metric_fg, name)
        }
    }

    /// Items within 1e-4 relative of the reference's. Head-output gradients: per output kind (box logits, class
    /// logits, raw keypoints), max |ours − ref| / max |ref| ≤ 1e-3.
    func testItemsAndHeadGradientsMatchReference() throws {
        for name in Self.cases {
            let fx = try LossFixture(name)
            let levels = try fx.levels(requiresGrad: true)
            let loss = fx.makeLoss()
            let (total, items) = loss(levels, labels: fx.labels)
            var itemReport: [String] = []
            for (i, item) in items.enumerated() {
                let ref = fx.meta.items[i]
                let rel = ref == 0 ? abs(item) : abs(item - ref) / abs(ref)
                itemReport.append(String(format: "%.1e", rel))
                XCTAssertLessThanOrEqual(rel, 1e-4, "\(name) \(LossGains.itemNames[i]): \(item) vs \(ref)")
            }
            XCTAssertEqual(total.item, fx.meta.total, accuracy: 1e-4 * abs(fx.meta.total), name)
            total.backward()

            let grid = AnchorGrid(sizes: levels.map { ($0.box.shape[1], $0.box.shape[2]) }, strides: [8, 16, 32])
            let batch = fx.meta.images
            let kv = fx.keypointValues
            let box = Self.anchorMajor(levels.map { $0.box.grad! }, grid: grid, batch: batch)
            let cls = Self.anchorMajor(levels.map { $0.cls.grad! }, grid: grid, batch: batch)
            let kpt = Self.anchorMajor(levels.map { $0.kpt!.grad! }, grid: grid, batch: batch)
            let refCls = try LossFixture.npy("\(name)-grad-cls.npy").values
            let rows = try LossFixture.npy("\(name)-grad-rows.npy")
            var refBox = [Float](repeating: 0, count: box.count), refKpt = [Float](repeating: 0, count: kpt.count)
            let width = 1 + 64 + kv
            for r in 0..<(rows.values.count / width) {
                let base = r * width, index = Int(rows.values[base])
                for k in 0..<64 { refBox[index * 64 + k] = rows.values[base + 1 + k] }
                for k in 0..<kv { refKpt[index * kv + k] = rows.values[base + 65 + k] }
            }
            let errors = [normRelative(box, refBox), normRelative(cls, refCls), normRelative(kpt, refKpt)]
            print("PoseLoss parity \(name): item rel. diff \(itemReport); grad max-abs/max-ref box \(errors[0]) "
                  + "cls \(errors[1]) kpt \(errors[2])")
            for (kind, e) in zip(["box", "cls", "kpt"], errors) {
                XCTAssertLessThanOrEqual(e, 1e-3, "\(name): d total / d \(kind)")
            }
        }
    }

    func testTopKTieOrderMatchesTorch() throws {
        struct Case: Decodable { let n: Int; let nonzero: [[Float]]; let selected: [Int] }
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: LossFixture.url("topk.json")))
        for c in cases {
            let entries = c.nonzero.map { (index: Int($0[0]), value: $0[1]) }
            var dense = [Float](repeating: 0, count: c.n)
            for e in entries { dense[e.index] = e.value }
            XCTAssertEqual(TorchTopK.largest(dense, k: 10), c.selected, "dense n=\(c.n) \(c.nonzero)")
            XCTAssertEqual(TorchTopK.largest(count: c.n, k: 10, entries: entries), c.selected, "sparse n=\(c.n)")
        }
    }
}

extension Tensor {
    /// The single value of a one-element tensor.
    var item: Float { pointer[0] }
}
