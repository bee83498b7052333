import Foundation
import XCTest
import YOLOTensor
import YOLOTestSupport

/// `quantize` in predict and val, run through the built binary: 16 (and the deprecated `half=True`) runs bf16 where the
/// CPU has native bf16 and says so once, or says it runs float32; 8 is answered with a warning.
final class QuantizeCLITests: XCTestCase {
    private func yolo(_ args: [String]) throws -> YOLOBinary.Run {
        try YOLOBinary.run(args, testClass: Self.self)
    }

    private var expectedNote: String {
        ConvPrecision.isBF16Supported ? "quantize=16: convolutions run in bf16 on this CPU's \(ConvPrecision.bf16Hardware)"
            : "quantize=16: this CPU has no native bf16 (AVX512_BF16 or AMX), so inference runs in float32"
    }

    func testPredictQuantize16AndHalf() throws {
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        for extra in [["quantize=16"], ["half=True"]] {
            let r = try yolo(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(image)",
                              "save=False"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let out = r.stdout + r.stderr
            XCTAssertEqual(out.components(separatedBy: expectedNote).count - 1, 1, "\(extra): the note once in\n\(out)")
            XCTAssertTrue(out.contains("image 4/4"), out)
            if extra == ["half=True"] {
                XCTAssertTrue(out.contains("'half' is deprecated and will be removed in the future. Use 'quantize' instead."), out)
            }
        }
    }

    func testValQuantize16AndPredictQuantize8() throws {
        let work = try TempDirectory.make(for: self, prefix: "quantize")
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        let val = try yolo(["pose", "val", "model=\(Fixtures.path("overfit-n-pose.pt"))", "data=\(yaml)", "imgsz=320",
                            "plots=False", "quantize=16", "project=\(work.path)"])
        XCTAssertEqual(val.status, 0, val.stderr)
        XCTAssertTrue((val.stdout + val.stderr).contains(expectedNote), val.stdout + val.stderr)
        XCTAssertTrue(val.stdout.contains("all"), val.stdout)
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000110.jpg").path
        let eight = try yolo(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(image)",
                              "save=False", "quantize=8"])
        XCTAssertEqual(eight.status, 0, eight.stderr)
        XCTAssertTrue(eight.stderr.contains("'quantize=8' has no effect here"), eight.stderr)
        XCTAssertFalse((eight.stdout + eight.stderr).contains("quantize=16:"), eight.stdout)
    }
}
