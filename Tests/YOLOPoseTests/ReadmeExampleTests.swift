import Foundation
import XCTest
import YOLOPose
import YOLOTestSupport

/// The README's "Use from Swift" example, compiled and run as written (with the fixture checkpoint and dataset
/// paths), and a check that the README still shows these lines.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExampleRuns() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let checkpoint = Fixtures.path("overfit-n-pose.pt")
        let images = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        let dataYAML = try Fixtures.writeCoco8PoseYAML(in: work)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(work.path)   // the run folder goes under ./runs
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        // --- README example (keep in sync with README.md "Use from Swift") ---
        let model = try YOLO(checkpoint)                       // or YOLO("yolov8n-pose.pt")
        for result in try model(images) {                      // predict a file, folder, glob or URL
            print(result.summary())
        }
        let metrics = try model.val(data: dataYAML)            // Box and Pose P, R, mAP50, mAP50-95
        print(metrics.box.map, metrics.pose.map)
        try model.train(data: dataYAML, epochs: 1, imgsz: 320) { epoch in
            print(epoch.epoch, epoch.values)                   // per-epoch losses, metrics, learning rates
            return true                                        // false stops training
        }
        let tuned = try model(images)                          // the object now holds the run's best.pt
        // --- end of example ---

        XCTAssertEqual(tuned.count, 4)
        XCTAssertGreaterThan(metrics.box.map, 0.3, "overfit-n-pose validates well on coco8-pose")
        XCTAssertTrue(model.source.hasSuffix("weights/best.pt"), model.source)
        let readme = try String(contentsOf: Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md"), encoding: .utf8)
        for line in ["let model = try YOLO(", "for result in try model(", "let metrics = try model.val(data:",
                     "try model.train(data:", "return true"] {
            XCTAssertTrue(readme.contains(line), "README lacks '\(line)'")
        }
    }
}
