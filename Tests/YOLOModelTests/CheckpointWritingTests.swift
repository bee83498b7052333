import Foundation
import XCTest
import YOLOFormats
@testable import YOLOModel
import YOLONN
import YOLOTensor
import YOLOTestSupport

/// Writing Ultralytics checkpoints: our reader reads them back exactly, and their object graph has the classes and
/// attributes of the reference's own checkpoints.
final class CheckpointWritingTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    private func temporaryFile(_ name: String) -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ckpt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent(name)
    }

    /// Every state-dict value of `b` equals `a`'s rounded to `dtype` (BN counters exactly).
    private func assertSameWeights(_ a: YOLONetwork, _ b: YOLONetwork, rounded dtype: TensorDType, _ label: String) {
        let x = a.stateDict(), y = b.stateDict()
        XCTAssertEqual(x.map(\.0), y.map(\.0), "\(label): keys")
        for ((key, t), (_, u)) in zip(x, y) {
            let expected = StoredTensor(shape: t.shape, floats: t.toArray(), dtype: dtype).floats()
            if expected != u.toArray() { XCTFail("\(label): \(key) differs after the round trip"); return }
        }
    }

    private func roundTrip(_ net: YOLONetwork, dtype: TensorDType = .float16, _ label: String) throws -> YOLONetwork {
        let url = temporaryFile("\(label).pt")
        try net.save(to: url, dtype: dtype)
        let back = try YOLONetwork.load(url.path)
        assertSameWeights(net, back, rounded: dtype, label)
        XCTAssertEqual(back.names, net.names, label)
        XCTAssertEqual(back.stride, net.stride, label)
        XCTAssertEqual(back.kptShape, net.kptShape, label)
        XCTAssertEqual(back.nc, net.nc, label)
        XCTAssertEqual(back.task, net.task, label)
        // Ultralytics reads the task from the arguments, so it is added when missing (a network built from YAML).
        var args = net.args
        if args["task"] == nil { args["task"] = .string(net.task) }
        XCTAssertEqual(back.args, args, label)
        let order = net.orderedArgs.map(\.0)
        XCTAssertEqual(back.orderedArgs.map(\.0), order.contains("task") ? order : ["task"] + order, "\(label): args order")
        XCTAssertEqual(back.save, net.save, label)
        return back
    }

    func testTinyPoseRoundTrip() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        XCTAssertFalse(net.args.isEmpty)
        let back = try roundTrip(net, "tiny-k5-pose")
        XCTAssertEqual(back.kptShape, [5, 3])
        XCTAssertEqual(back.names, [0: "0", 1: "1"])
        XCTAssertEqual(back.args["model"]?.string, "tiny-pose.yaml")
        // The values came from a float16 checkpoint, so they survive exactly; the file is deterministic too.
        XCTAssertEqual(try UltralyticsCheckpoint(contentsOf: Fixtures.url("tiny-k5-pose.pt")).stateDict.map(\.tensor),
                       try roundTripStateDict(back))
    }

    private func roundTripStateDict(_ net: YOLONetwork) throws -> [StoredTensor] {
        let url = temporaryFile("again.pt")
        try net.save(to: url)
        return try UltralyticsCheckpoint(contentsOf: url).stateDict.map(\.tensor)
    }

    func testDetectAndK12D2RoundTrip() throws {
        let detect = try roundTrip(try YOLONetwork.load(Fixtures.path("tiny-detect.pt")), "tiny-detect")
        XCTAssertNil(detect.kptShape)
        XCTAssertEqual(detect.task, "detect")
        let k12 = try roundTrip(try YOLONetwork.load(Fixtures.path("tiny-k12d2-pose.pt")), "tiny-k12d2")
        XCTAssertEqual(k12.kptShape, [12, 2])
    }

    func testP6AndScaledModelsRoundTripInBothPrecisions() throws {
        let p6 = try YOLONetwork(config: ModelConfig.load("yolov8n-pose-p6.yaml"), seed: 3)
        XCTAssertEqual(p6.stride, [8, 16, 32, 64])
        let back = try roundTrip(p6, "p6-fp16")
        XCTAssertEqual(back.config.scale, "n")
        _ = try roundTrip(p6, dtype: .float32, "p6-fp32")
        // A non-default scale and custom classes/keypoints, from the built-in YAML.
        var cfg = try ModelConfig.load("yolov8s-pose.yaml")
        cfg.nc = 3
        cfg.kptShape = [4, 2]
        cfg.raw = patched(cfg.raw, ["nc": .int(3), "kpt_shape": .list([.int(4), .int(2)])])
        let s = try YOLONetwork(config: cfg, seed: 5)
        s.names = [0: "a", 1: "b", 2: "c"]
        let sb = try roundTrip(s, "s-custom")
        XCTAssertEqual(sb.config.scale, "s")
        XCTAssertEqual(sb.kptShape, [4, 2])
    }

    private func patched(_ node: ConfigNode, _ values: [String: ConfigNode]) -> ConfigNode {
        guard case .map(let items) = node else { return node }
        return .map(items.map { (k, v) in (k, values[k] ?? v) })
    }

    func testFusedNetworkIsRefused() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        net.fuse()
        let url = temporaryFile("fused.pt")
        XCTAssertThrowsError(try net.save(to: url)) { error in
            XCTAssertEqual(error as? CheckpointWriteError, .fusedNetwork(file: "fused.pt"))
            XCTAssertTrue("\(error)".contains("fused"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testNonFiniteWeightsAreReplacedLikeNanToNum() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        let w = net.model.items[0] as! ConvBlock
        w.conv.weight.pointer[0] = .nan
        w.conv.weight.pointer[1] = .infinity
        w.conv.weight.pointer[2] = -1e6
        let url = temporaryFile("nonfinite.pt")
        try net.save(to: url)
        let values = try XCTUnwrap(UltralyticsCheckpoint(contentsOf: url).tensor("model.0.conv.weight")).floats()
        XCTAssertEqual(Array(values.prefix(3)), [0, 65_504, -65_504])
    }

    /// A training checkpoint (EMA, optimizer with fp32 and fp16 state, stopper, results) loads in our reader, which
    /// picks the EMA as Ultralytics does.
    func testTrainingCheckpointWithOptimizer() throws {
        let ema = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        let contents = Self.trainingContents(ema: ema)
        let url = temporaryFile("last.pt")
        try contents.write(to: url)
        let ckpt = try UltralyticsCheckpoint(contentsOf: url)
        guard case .dict(let top) = ckpt.root else { return XCTFail("top level") }
        XCTAssertEqual(top.compactMap { $0.0.stringValue }, ["epoch", "best_fitness", "stopper", "model", "ema", "updates",
                                                            "modelopt", "optimizer", "scaler", "train_args", "train_metrics",
                                                            "train_results", "date", "version", "git", "license", "docs"])
        XCTAssertTrue(ckpt.root["model"]?.isNone == true)
        XCTAssertEqual(ckpt.root["epoch"]?.intValue, 4)
        XCTAssertEqual(ckpt.root["stopper"]?["best_epoch"]?.intValue, 3)
        XCTAssertEqual(ckpt.modelClass, "PoseModel")
        XCTAssertEqual(ckpt.model["args"]?.objectValue?.qualifiedName, "ultralytics.utils.IterableSimpleNamespace")
        XCTAssertEqual(ckpt.trainArgs["imgsz"]?.intValue, 64)
        let back = try YOLONetwork(checkpoint: ckpt)
        assertSameWeights(ema, back, rounded: .float16, "ema")
        let state = try XCTUnwrap(ckpt.root["optimizer"]?["state"]?[intKey: 1])
        XCTAssertEqual(state["exp_avg"]?.tensorValue?.dtype, .float32)
        XCTAssertEqual(state["exp_avg"]?.tensorValue?.floats(), [0.5, -0.25, 1e-8])
        XCTAssertEqual(state["momentum_buffer"]?.tensorValue?.dtype, .float16)
        XCTAssertEqual(ckpt.root["optimizer"]?["param_groups"]?.arrayValue?.first?["params"]?.arrayValue?.count, 2)
        // Bytes for last.pt and best.pt come from one serialisation, as in Ultralytics.
        XCTAssertEqual(try TorchFile.load(data: try contents.encoded(), url: url).archiveRoot, "archive")
    }

    static func trainingContents(ema: YOLONetwork) -> UltralyticsCheckpointContents {
        let step = StoredTensor(shape: [], floats: [12], dtype: .float32)
        let optimizer: PickleTerm = [
            "state": [
                0: ["step": .tensor(step), "exp_avg": .tensor(StoredTensor(shape: [2], floats: [1, 2], dtype: .float32))],
                1: ["step": .tensor(step), "exp_avg": .tensor(StoredTensor(shape: [3], floats: [0.5, -0.25, 1e-8], dtype: .float32)),
                    "momentum_buffer": .tensor(StoredTensor(shape: [1], floats: [0.125], dtype: .float16))],
            ],
            "param_groups": [
                ["lr": 0.01, "betas": .tuple([0.9, 0.999]), "weight_decay": 0.0005, "param_group": "weight",
                 "foreach": nil, "params": [0, 1]],
            ],
        ]
        return .training(epoch: 4, bestFitness: 0.25, stopper: (0.25, 3), ema: ema, updates: 40, optimizer: optimizer,
                         trainArgs: [("task", "pose"), ("model", "tiny-pose.yaml"), ("epochs", 5), ("imgsz", 64),
                                     ("lr0", 0.01), ("cache", false), ("freeze", nil), ("classes", nil)],
                         trainMetrics: [("metrics/mAP50(B)", 0.5), ("fitness", 0.25)],
                         trainResults: [("epoch", [1, 2]), ("time", [0.5, 1.25])],
                         date: Date(timeIntervalSince1970: 1_700_000_000.25))
    }

    func testTimestampLooksLikePythonIsoformat() {
        let s = UltralyticsCheckpointContents.timestamp(Date(timeIntervalSince1970: 1_700_000_000.123456))
        XCTAssertNotNil(s.range(of: #"^2023-11-1[45]T\d\d:\d\d:\d\d\.123456[+-]\d\d:\d\d$"#, options: .regularExpression), s)
        let whole = UltralyticsCheckpointContents.timestamp(Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertNotNil(whole.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"#, options: .regularExpression), whole)
    }
}
