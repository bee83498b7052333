import Foundation
import XCTest
import YOLOTestSupport
@testable import YOLOFormats

final class UltralyticsCheckpointTests: XCTestCase {
    private func expected() throws -> [String: Any] {
        try XCTUnwrap(FormatFixtures.json("tiny-pose.json") as? [String: Any])
    }

    private func checkTinyPose(_ ckpt: UltralyticsCheckpoint, _ exp: [String: Any]) throws {
        XCTAssertEqual(ckpt.modelClass, exp["modelClass"] as? String)
        XCTAssertEqual(ckpt.task, "pose")
        XCTAssertEqual(ckpt.kptShape, exp["kpt_shape"] as? [Int])
        XCTAssertEqual(ckpt.stride, try XCTUnwrap(exp["stride"] as? [Double]).map { Float($0) })
        let names = try XCTUnwrap(exp["names"] as? [String: String])
        XCTAssertEqual(ckpt.names, Dictionary(uniqueKeysWithValues: names.map { (Int($0.key)!, $0.value) }))
        XCTAssertEqual(ckpt.yaml?["nc"]?.intValue, exp["yaml_nc"] as? Int)
        XCTAssertEqual(ckpt.yaml?["kpt_shape"]?.arrayValue?.compactMap(\.intValue), [3, 3])
        XCTAssertEqual(ckpt.version, "8.4.190")
        let entries = try XCTUnwrap(exp["entries"] as? [[String: Any]])
        XCTAssertEqual(ckpt.stateDict.map(\.key), entries.map { $0["key"] as? String ?? "" })
        for (got, want) in zip(ckpt.stateDict, entries) {
            XCTAssertEqual(got.tensor.shape, want["shape"] as? [Int], got.key)
            XCTAssertEqual(got.tensor.dtype.rawValue, want["dtype"] as? String, got.key)
            let head = try XCTUnwrap(want["head"] as? [Double]).map { Float($0) }
            XCTAssertEqual(Array(got.tensor.floats().prefix(head.count)), head, got.key)
        }
        XCTAssertEqual(ckpt.tensor("model.0.bn.num_batches_tracked")?.dtype, .int64)
    }

    func testModelSaveCheckpoint() throws {
        let exp = try expected()
        let ckpt = try UltralyticsCheckpoint(contentsOf: FormatFixtures.url("tiny-pose.pt"))
        try checkTinyPose(ckpt, exp)
        XCTAssertEqual(ckpt.date, exp["date"] as? String)
        XCTAssertTrue(ckpt.root["ema"]?.isNone ?? false)
        XCTAssertEqual(ckpt.trainArgs["task"]?.stringValue, "pose") // model.args dict
        // Keys are ordered as PyTorch does: layer 0 first, head last, DFL between cv3 and cv4.
        let keys = ckpt.stateDict.map(\.key)
        let dfl = try XCTUnwrap(keys.firstIndex(of: "model.11.dfl.conv.weight"))
        XCTAssertTrue(keys[..<dfl].contains { $0.hasPrefix("model.11.cv3.") })
        XCTAssertTrue(keys[dfl...].contains { $0.hasPrefix("model.11.cv4.") })
    }

    func testTrainerCheckpointUsesEmaAndTrainArgs() throws {
        let ckpt = try UltralyticsCheckpoint(contentsOf: FormatFixtures.url("tiny-pose-trainer.pt"))
        try checkTinyPose(ckpt, try expected())
        XCTAssertEqual(ckpt.trainArgs["imgsz"]?.intValue, 320)
        XCTAssertEqual(ckpt.trainArgs["data"]?.stringValue, "x.yaml")
        XCTAssertEqual(ckpt.date, "2024-01-01T00:00:00")
        XCTAssertEqual(ckpt.root["epoch"]?.intValue, 0)
    }

    func testRandomYolov8nPoseMatchesSpec() throws {
        let url = try FormatFixtures.optional("rand-n-pose.pt")
        let ckpt = try UltralyticsCheckpoint(contentsOf: url)
        XCTAssertEqual(ckpt.stateDict.count, 397)
        XCTAssertEqual(ckpt.modelClass, "PoseModel")
        XCTAssertEqual(ckpt.task, "pose")
        XCTAssertEqual(ckpt.kptShape, [17, 3])
        XCTAssertEqual(ckpt.stride, [8, 16, 32])
        XCTAssertEqual(ckpt.names, [0: "0"])
        XCTAssertEqual(ckpt.yaml?["scale"]?.stringValue, "n")
        XCTAssertEqual(ckpt.stateDict.first?.key, "model.0.conv.weight")
        XCTAssertEqual(ckpt.stateDict.first?.tensor.shape, [16, 3, 3, 3])
        XCTAssertEqual(ckpt.stateDict.last?.key, "model.22.cv4.2.2.bias")
        var counts: [String: Int] = [:]
        for (key, _) in ckpt.stateDict { counts[String(key.split(separator: ".").last!), default: 0] += 1 }
        XCTAssertEqual(counts, ["weight": 136, "bias": 72, "running_mean": 63, "running_var": 63, "num_batches_tracked": 63])
        let floatCount = ckpt.stateDict.filter { $0.tensor.dtype == .float16 }.reduce(0) { $0 + $1.tensor.count }
        XCTAssertEqual(floatCount, 3_306_482)
        // Compare with the spec listing when it is available on this machine.
        let spec = Fixtures.sharedCoco8Pose.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("spec/yolov8n-pose-state-dict.txt")
        if let text = try? String(contentsOf: spec, encoding: .utf8) {
            let section = text.components(separatedBy: "\n\n").first ?? ""
            let rows = section.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ") }
            XCTAssertEqual(rows.count, 397)
            for (row, entry) in zip(rows, ckpt.stateDict) {
                XCTAssertEqual(String(row[1]), entry.key)
                XCTAssertEqual(String(row[row.count - 2]), entry.tensor.dtype.rawValue, entry.key)
                XCTAssertEqual(Int(row[row.count - 1]), entry.tensor.count, entry.key)
            }
        }
    }

    func testTrainedYolov8nPose() throws {
        let url = try FormatFixtures.optional("trained-n-pose.pt")
        let ckpt = try UltralyticsCheckpoint(contentsOf: url)
        XCTAssertEqual(ckpt.stateDict.count, 397)
        XCTAssertEqual(ckpt.task, "pose")
        XCTAssertFalse(ckpt.trainArgs.isEmpty)
        XCTAssertNotNil(ckpt.trainArgs["imgsz"])
        XCTAssertFalse(ckpt.names.isEmpty)
    }

    func testTinyDetect() throws {
        let url = try FormatFixtures.optional("tiny-detect.pt")
        let ckpt = try UltralyticsCheckpoint(contentsOf: url)
        XCTAssertEqual(ckpt.modelClass, "DetectionModel")
        XCTAssertEqual(ckpt.task, "detect")
        XCTAssertNil(ckpt.kptShape)
    }

    func testLoadTime() throws {
        let url = try FormatFixtures.optional("rand-n-pose.pt")
        _ = try UltralyticsCheckpoint(contentsOf: url)
        let start = Date()
        let runs = 3
        for _ in 0..<runs { _ = try UltralyticsCheckpoint(contentsOf: url) }
        let ms = Date().timeIntervalSince(start) * 1000 / Double(runs)
        print("rand-n-pose.pt load: \(String(format: "%.1f", ms)) ms")
    }

    func testTaskGuess() {
        XCTAssertEqual(UltralyticsCheckpoint.guessTask(className: "PoseModel"), "pose")
        XCTAssertEqual(UltralyticsCheckpoint.guessTask(className: "DetectionModel"), "detect")
        XCTAssertEqual(UltralyticsCheckpoint.guessTask(className: "SegmentationModel"), "segment")
        XCTAssertEqual(UltralyticsCheckpoint.guessTask(className: "ClassificationModel"), "classify")
        XCTAssertEqual(UltralyticsCheckpoint.guessTask(className: "OBBModel"), "obb")
    }
}
