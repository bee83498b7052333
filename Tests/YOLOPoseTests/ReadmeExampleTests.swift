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
                     "try model.train(data:", "return true", "let onnx = try model.export(format:", "try YOLO(onnx.path)"] {
            XCTAssertTrue(readme.contains(line), "README lacks '\(line)'")
        }
    }

    /// `model.export(format:)` writes beside the weights; `YOLO(file.onnx)` predicts the detections of the `.pt` it
    /// came from and, as in the reference, refuses to train or export.
    func testExportAndPredictFromONNX() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("yolo-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let checkpoint = work.appendingPathComponent("overfit-n-pose.pt")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Fixtures.path("overfit-n-pose.pt")), to: checkpoint)
        let images = Fixtures.coco8Pose.appendingPathComponent("images/val").path

        let model = try YOLO(checkpoint.path)
        let onnx = try model.export(format: "onnx", dynamic: true)   // letterboxed like the .pt (a static file is square)
        XCTAssertEqual(onnx.path, work.appendingPathComponent("overfit-n-pose.onnx").path)
        let exported = try YOLO(onnx.path)
        XCTAssertNil(exported.network)
        XCTAssertEqual(exported.names, model.names)
        // A .pt predicts at its training size (416 here), an ONNX file without imgsz at 640, as in the reference.
        let a = try model.predict(images), b = try exported.predict(images, imgsz: [416])
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(a.map(\.boxes.count), b.map(\.boxes.count))
        for (r, s) in zip(a, b) {
            for i in 0..<min(r.boxes.count, s.boxes.count) {
                XCTAssertEqual(r.boxes.conf[i], s.boxes.conf[i], accuracy: 1e-4)
                XCTAssertEqual(r.boxes.cls[i], s.boxes.cls[i])
                for c in 0..<4 { XCTAssertEqual(r.boxes.xyxy[i][c], s.boxes.xyxy[i][c], accuracy: 1e-2) }
            }
        }
        for action in [{ _ = try exported.export(format: "onnx") },
                       { _ = try exported.train(data: "coco8-pose.yaml", epochs: 1) }] {
            XCTAssertThrowsError(try action()) { error in
                XCTAssertTrue("\(error)".contains("only support 'predict' and 'val' modes"), "\(error)")
            }
        }
    }
}
