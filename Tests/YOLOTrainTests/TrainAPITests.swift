import Foundation
import XCTest
import YOLOModel
import YOLOTestSupport
import YOLOTrain

/// The Swift entry point: `network.train(data:…)` on the object that predicts, with a per-epoch callback that can
/// stop the run; the network ends with the run's best weights.
final class TrainAPITests: XCTestCase {
    func testTrainWithCallbackStopsEarlyAndUpdatesTheNetwork() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        let net = try YOLONetwork.load(Fixtures.path("rand-n-pose.pt"))
        let before = net.stateDict().first { $0.0 == "model.0.conv.weight" }!.1.toArray()
        var seen: [EpochSummary] = []
        let result = try net.train(data: yaml, epochs: 5, imgsz: 64, batch: 2,
                                   arguments: [("project", .string(work.path)), ("name", .string("api")),
                                               ("optimizer", .string("SGD")), ("lr0", .double(0.05)),
                                               ("warmup_epochs", .double(0)), ("nbs", .int(2)), ("plots", .bool(false))],
                                   log: { _ in }) { summary in
            seen.append(summary)
            return summary.epoch < 2
        }
        XCTAssertEqual(seen.map(\.epoch), [1, 2])
        XCTAssertEqual(result.epochsCompleted, 2)
        XCTAssertEqual(seen[0].values.map(\.0).prefix(2), ["train/box_loss", "train/pose_loss"])
        XCTAssertNotNil(seen[0].fitness)
        XCTAssertEqual(result.saveDir.lastPathComponent, "api")
        // The weights moved to the run's best.pt.
        let after = net.stateDict().first { $0.0 == "model.0.conv.weight" }!.1.toArray()
        XCTAssertGreaterThan(zip(before, after).map { abs($0 - $1) }.max() ?? 0, 1e-4, "model.0.conv.weight did not change")
        XCTAssertTrue(FileManager.default.fileExists(atPath: result.last.path))
    }
}
