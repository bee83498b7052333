import Foundation
import XCTest
import YOLOTestSupport

/// Arguments the reference honours are honoured or answered: `device` (CPU only, the reference's wording), the
/// plotting options (they change the saved image), `augment` (the reference's pose warning).
final class ArgumentAnswerTests: XCTestCase {
    func yolo(_ args: [String], cwd: URL) throws -> YOLOBinary.Run {
        try YOLOBinary.run(args, cwd: cwd, testClass: ArgumentAnswerTests.self)
    }

    func testDeviceGPURefusedAndPlotOptionsApplied() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("args-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000110.jpg").path
        let base = ["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(image)", "project=\(work.path)"]
        for device in ["0", "0,1", "cuda:0", "mps"] {
            let r = try yolo(base + ["device=\(device)", "name=d"], cwd: work)
            XCTAssertNotEqual(r.status, 0, device)
            XCTAssertTrue(r.stderr.contains("'device=\(device)' requested"), r.stderr)
        }
        XCTAssertEqual(try yolo(base + ["device=cpu", "name=cpu"], cwd: work).status, 0)
        let plain = try yolo(base + ["name=plain"], cwd: work)
        let styled = try yolo(base + ["name=styled", "line_width=6", "show_conf=False", "augment=True"], cwd: work)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(styled.status, 0, styled.stderr)
        XCTAssertTrue(styled.stderr.contains("Model does not support 'augment=True', reverting to single-scale prediction."), styled.stderr)
        let a = try Data(contentsOf: work.appendingPathComponent("plain/000000000110.jpg"))
        let b = try Data(contentsOf: work.appendingPathComponent("styled/000000000110.jpg"))
        XCTAssertNotEqual(a, b, "line_width/show_conf did not change the rendering")
    }
}
