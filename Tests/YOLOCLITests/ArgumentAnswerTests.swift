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

/// `batch=4` over images of mixed shapes letterboxes each to the full square, as the reference's batched
/// preprocessing does, and `rect=False` does the same; both write the reference's labels
/// (`Tests/Fixtures/predict/batch4`, `Scripts/reference/predict_batch.sh`) within 2e-5 normalized (the %g text).
final class BatchRectTests: XCTestCase {
    func testBatchOfMixedShapesAndRectFalseUseTheSquare() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let base = ["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))",
                    "source=\(Fixtures.coco8Pose.appendingPathComponent("images/val").path)", "save_txt=True", "save=False"]
        for extra in ["batch=4", "rect=False"] {
            let r = try YOLOBinary.run(base + [extra, "name=\(extra.prefix(4))"], cwd: work, testClass: Self.self)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("image ") && $0.contains(": 416x416 ") }.count, 4, r.stdout)
            for name in ["000000000110", "000000000113", "000000000136"] {
                let want = try String(contentsOf: Fixtures.url("predict/batch4/\(name).txt"), encoding: .utf8)
                let got = try String(contentsOf: work.appendingPathComponent("runs/pose/\(extra.prefix(4))/labels/\(name).txt"), encoding: .utf8)
                let w = want.split(separator: "\n"), g = got.split(separator: "\n")
                XCTAssertEqual(g.count, w.count, "\(extra) \(name)")
                for (a, b) in zip(g, w) {
                    let x = a.split(separator: " ").map { Double($0)! }, y = b.split(separator: " ").map { Double($0)! }
                    XCTAssertEqual(x.count, y.count)
                    for (p, q) in zip(x, y) { XCTAssertEqual(p, q, accuracy: 2e-5, "\(extra) \(name)") }
                }
            }
        }
        // batch=4 over images of one shape keeps the minimal rectangle.
        let same = work.appendingPathComponent("same")
        try FileManager.default.createDirectory(at: same, withIntermediateDirectories: true)
        for i in 0..<2 {
            try FileManager.default.copyItem(at: Fixtures.coco8Pose.appendingPathComponent("images/val/000000000110.jpg"),
                                             to: same.appendingPathComponent("\(i).jpg"))
        }
        let r = try YOLOBinary.run(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(same.path)",
                                    "batch=4", "save=False"], cwd: work, testClass: Self.self)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.contains(": 320x416 ") }.count, 2, r.stdout)
    }
}

/// `imgsz` that is neither an integer nor a list is refused with the reference's `check_imgsz` messages.
final class ImgszArgumentTests: XCTestCase {
    func testNonIntegerImgszIsRefused() throws {
        let source = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000136.jpg").path
        for (value, message) in [("abc", "'imgsz=abc' is not a valid image size. Valid imgsz values are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'"),
                                 ("352.5", "'imgsz=352.5' is of invalid type float. Valid imgsz types are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'"),
                                 ("100000", "'imgsz=100000' is too large: 100000 exceeds this build's limit of 8192 per side"),
                                 ("[640,1000000]", "exceeds this build's limit of 8192 per side")] {
            let r = try YOLOBinary.run(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(source)",
                                        "imgsz=\(value)", "save=False"], testClass: Self.self)
            XCTAssertNotEqual(r.status, 0, value)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }
}
