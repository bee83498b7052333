import Foundation
import XCTest
import YOLOPose
import YOLOTestSupport

/// `model.stream(source)`: results as a lazy AsyncSequence, equal to `predict`'s list, and leaving the loop early
/// stops the prediction instead of running the rest of the source.
final class StreamTests: XCTestCase {
    func testStreamYieldsWhatPredictReturns() async throws {
        let model = try YOLO(Fixtures.path("overfit-n-pose.pt"))
        let folder = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        let listed = try model.predict(folder)
        var streamed: [Results] = []
        for try await r in try model.stream(folder) { streamed.append(r) }
        XCTAssertEqual(streamed.map(\.path), listed.map(\.path))
        XCTAssertEqual(streamed.count, 4)
        for (a, b) in zip(streamed, listed) {
            XCTAssertEqual(a.boxes.count, b.boxes.count, a.path)
            XCTAssertEqual(a.boxes.conf, b.boxes.conf, a.path)
        }
    }

    func testLeavingTheLoopStopsThePrediction() async throws {
        let work = try TempDirectory.make(for: self, prefix: "stream")
        let folder = work.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let val = Fixtures.coco8Pose.appendingPathComponent("images/val")
        for k in 0..<4 {   // 16 images
            for name in try FileManager.default.contentsOfDirectory(atPath: val.path) {
                try FileManager.default.copyItem(at: val.appendingPathComponent(name),
                                                  to: folder.appendingPathComponent("\(k)-\(name)"))
            }
        }
        var o = PredictOptions()
        o.saveTxt = true
        o.saveConf = true
        o.project = work.path
        o.name = "run"
        let predictor = try Predictor(backend: try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt")), options: o)
        var seen = 0
        for try await _ in predictor.stream(folder.path, capacity: 1) {
            seen += 1
            if seen == 2 { break }
        }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let written = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("run/labels").path)
        XCTAssertEqual(seen, 2)
        XCTAssertLessThanOrEqual(written.count, 5, "the predictor kept going after the consumer left: \(written.count) of 16")
    }
}
