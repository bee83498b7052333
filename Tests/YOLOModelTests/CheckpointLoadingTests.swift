import Foundation
import XCTest
import YOLOFormats
import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// Loading Ultralytics checkpoints into the network, and this project's safetensors round trip.
final class CheckpointLoadingTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testMetadataFromTrainedCheckpoint() throws {
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"))
        XCTAssertEqual(net.task, "pose")
        XCTAssertEqual(net.names, [0: "person"])
        XCTAssertEqual(net.kptShape, [17, 3])
        XCTAssertEqual(net.stride, [8, 16, 32])
        XCTAssertEqual(net.config.scale, "n")
        XCTAssertEqual(net.args["imgsz"]?.int, 320)
        XCTAssertEqual(net.parameterCount, 3_295_470)  // spec §1.3
    }

    func testStateDictValuesMatchCheckpoint() throws {
        let ckpt = try UltralyticsCheckpoint(contentsOf: Fixtures.url("trained-n-pose.pt"))
        let net = try YOLONetwork(checkpoint: ckpt)
        let mine = net.stateDict()
        XCTAssertEqual(mine.map(\.0), ckpt.stateDict.map(\.key))
        for (key, t) in mine where !key.hasSuffix("num_batches_tracked") {
            XCTAssertEqual(t.toArray(), ckpt.tensor(key)!.floats(), key)
        }
    }

    func testSafetensorsRoundTripKeepsOutputs() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.saveSafetensors(to: url)
        let back = try YOLONetwork.load(url.path, task: "pose")
        XCTAssertEqual(back.names, net.names)
        XCTAssertEqual(back.kptShape, [5, 3])
        XCTAssertEqual(back.nc, 2)
        XCTAssertEqual(back.stride, net.stride)
        let x = Tensor(shape: [1, 64, 96, 3], values: (0..<(64 * 96 * 3)).map { Float($0 % 255) / 255 })
        let (a, b) = withNoGrad { (net(x), back(x)) }
        XCTAssertEqual(a.shape, [1, 4 + 2 + 15, 8 * 12 + 4 * 6 + 2 * 3])
        XCTAssertEqual(a.toArray(), b.toArray())
    }

    func testStrictLoadingNamesKeyAndShapes() throws {
        // The k12d2 checkpoint's head does not fit a 5×3 keypoint model.
        let ckpt = try UltralyticsCheckpoint(contentsOf: Fixtures.url("tiny-k12d2-pose.pt"))
        var config = try ModelConfig.load(Fixtures.path("tiny-pose.yaml"))
        config.nc = 1
        let net = try YOLONetwork(config: config)
        XCTAssertThrowsError(try net.loadStateDict(ckpt.stateDict.reduce(into: [:]) { d, e in
            let t = e.tensor
            d[e.key] = (shape: t.shape, fill: { (_: UnsafeMutableBufferPointer<Float>) in })
        })) { error in
            XCTAssertEqual("\(error)", "shape mismatch for model.22.cv4.0.0.conv.weight: model expects [15, 32, 3, 3], checkpoint has [24, 32, 3, 3]")
        }
    }

    func testFusedMatchesUnfused() throws {
        let a = try YOLONetwork.load(Fixtures.path("tiny-k12d2-pose.pt"))
        let b = try YOLONetwork.load(Fixtures.path("tiny-k12d2-pose.pt"))
        b.fuse()
        XCTAssertTrue(b.isFused)
        // Folding drops each BN's γ and β and gives the conv a bias of the same size: net loss is γ.
        let gammas = a.stateDict().filter { $0.0.hasSuffix(".bn.weight") }.reduce(0) { $0 + $1.1.count }
        XCTAssertEqual(b.parameterCount, a.parameterCount - gammas)
        let x = Tensor(shape: [1, 128, 128, 3], values: (0..<(128 * 128 * 3)).map { Float(($0 * 37) % 255) / 255 })
        let (ya, yb) = withNoGrad { (a(x), b(x)) }
        assertClose(yb.toArray(), ya.toArray(), atol: 5e-4, rtol: 1e-4, "fused vs unfused")
    }
}
