import XCTest
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOTrain

/// The whole training step's gradient: checkpoint → train-mode forward of the fixed batch → loss → backward, against
/// the parameter gradients torch computed for the same batch (Tests/Fixtures/train, make_loss_fixtures.py).
final class PoseLossEndToEndTests: XCTestCase {
    /// The fixed batch as the network input: NHWC RGB in [0, 1].
    static func batchInput(images: Int) throws -> Tensor {
        let img = try LossFixture.npy("batch-img.npy")  // uint8 (4, 320, 320, 3)
        let per = img.shape[1] * img.shape[2] * img.shape[3]
        return Tensor(shape: [images] + Array(img.shape.dropFirst()), values: img.values.prefix(images * per).map { $0 / 255 })
    }

    func check(_ name: String, checkpoint: String) throws {
        let fx = try LossFixture(name)
        let net = try YOLONetwork.load(Fixtures.path("\(checkpoint).pt"))
        net.train()
        let levels = net.forwardRaw(try Self.batchInput(images: fx.meta.images))
        // The train-mode forward itself (BN batch statistics) against the reference's head outputs.
        let ref = try fx.levels()
        for (l, (ours, theirs)) in zip(levels, ref).enumerated() {
            for (kind, a, b) in [("box", ours.box, theirs.box), ("cls", ours.cls, theirs.cls), ("kpt", ours.kpt!, theirs.kpt!)] {
                let e = normRelative(a.toArray(), b.toArray())
                XCTAssertLessThan(e, 1e-4, "\(name) P\(l + 3) \(kind) forward")
            }
        }
        let (loss, items) = fx.makeLoss()(levels, labels: fx.labels)
        for (i, item) in items.enumerated() {
            XCTAssertEqual(item, fx.meta.items[i], accuracy: 1e-3 * max(abs(fx.meta.items[i]), 1e-3),
                           "\(name) \(LossGains.itemNames[i]) from our forward")
        }
        loss.backward()
        let params = Dictionary(uniqueKeysWithValues: net.allParameters())
        var report: [String] = []
        for key in fx.meta.params {
            let expected = try LossFixture.npy("\(name)-pgrad-\(key).npy")
            guard let p = params[key] else { XCTFail("\(name): no parameter \(key)"); continue }
            guard let g = p.grad else { XCTFail("\(name): \(key) has no gradient"); continue }
            XCTAssertEqual(g.count, expected.values.count, key)
            let e = normRelative(g.toArray(), expected.values)
            report.append("\(key) \(String(format: "%.1e", e))")
            XCTAssertLessThanOrEqual(e, 1e-3, "\(name): d total / d \(key) (max-abs / max-ref)")
        }
        print("PoseLoss end-to-end \(name): " + report.joined(separator: ", "))
    }

    func testOverfitCheckpointGradientsMatchTorch() throws {
        try check("overfit", checkpoint: "overfit-n-pose")
    }

    func testK12D2CheckpointGradientsMatchTorch() throws {
        try check("k12d2", checkpoint: "tiny-k12d2-pose")
    }

    func testK5TwoClassGradientsMatchTorch() throws {
        try check("k5", checkpoint: "tiny-k5-pose")
    }
}
