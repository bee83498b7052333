import Foundation
import XCTest
import YOLOData
import YOLOTestSupport

/// `visualize=True` writes the reference's LayerCAM overlay (`<stem>_cam.jpg`, JET heat map over the letterboxed
/// input) with its log lines. Reference files: `Tests/Fixtures/predict/layercam` (Scripts/reference/predict_layercam.sh).
/// The per-prediction maps equal the reference's within 1e-6 (checked when the fixture was made); the JPEG encoders
/// differ, so the decoded pixels are compared within JPEG noise: mean ≤ 1.5, max ≤ 24 levels.
final class LayerCAMTests: XCTestCase {
    func testOverlaysMatchTheReference() throws {
        let work = try TempDirectory.make(for: self, prefix: "cam")
        for (stem, explained) in [("000000000110", "Explaining the 16 strongest predictions per image out of 63."),
                                  ("000000000136", nil)] {
            let image = Fixtures.coco8Pose.appendingPathComponent("images/val/\(stem).jpg").path
            let run = try YOLOBinary.run(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(image)",
                                          "visualize=True", "save=False", "project=\(work.path)", "name=cam", "exist_ok=True"],
                                         testClass: Self.self)
            XCTAssertEqual(run.status, 0, run.stderr)
            let saving = run.stdout.range(of: "Saving \(work.path)/cam/\(stem)_cam.jpg... (LayerCAM)")
            let imageLine = run.stdout.range(of: "image 1/1 ")
            XCTAssertNotNil(saving, run.stdout)
            if let saving, let imageLine { XCTAssertLessThan(saving.lowerBound, imageLine.lowerBound, "the CAM line comes first") }
            if let explained { XCTAssertTrue(run.stderr.contains(explained), run.stderr) }
            let ours = try ImageIO.read(work.appendingPathComponent("cam/\(stem)_cam.jpg"))
            let reference = try ImageIO.read(Fixtures.url("predict/layercam/\(stem)_cam.jpg"))
            XCTAssertEqual([ours.width, ours.height], [reference.width, reference.height])
            guard ours.pixels.count == reference.pixels.count else { continue }
            let diffs = zip(ours.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            XCTAssertLessThanOrEqual(mean, 1.5, stem)
            XCTAssertLessThanOrEqual(diffs.max() ?? 0, 24, stem)
        }
        // A second map of the same stem goes to <stem>_cam2.jpg, as the reference's increment_path names it.
        let again = try YOLOBinary.run(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))",
                                        "source=\(Fixtures.coco8Pose.appendingPathComponent("images/val/000000000136.jpg").path)",
                                        "visualize=True", "save=False", "project=\(work.path)", "name=cam", "exist_ok=True"],
                                       testClass: Self.self)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("cam/000000000136_cam2.jpg").path))
    }
}
