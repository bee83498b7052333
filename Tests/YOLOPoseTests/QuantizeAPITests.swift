import Foundation
import XCTest
import YOLOPose
import YOLOTestSupport

/// `model.predict(source, quantize: 16)` and `model.val(data:, quantize: 16)`: bf16 where the CPU has native bf16
/// (scores differ from float32 in the last bits), float32 elsewhere (identical); the model's one fused network returns to
/// float32 for the next call that does not ask for bf16.
final class QuantizeAPITests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testPredictAndValTakeQuantize() throws {
        let model = try YOLO(Fixtures.path("overfit-n-pose.pt"))
        let folder = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        let f32 = try model.predict(folder)
        let bf16 = try model.predict(folder, quantize: 16)
        let again = try model.predict(folder, quantize: 32)
        XCTAssertEqual(again.map(\.boxes.conf), f32.map(\.boxes.conf), "float32 again after a bf16 call")
        if ConvPrecision.isBF16Supported {
            XCTAssertNotEqual(bf16.map(\.boxes.conf), f32.map(\.boxes.conf), "bf16 arithmetic should show in the scores")
        } else {
            XCTAssertEqual(bf16.map(\.boxes.conf), f32.map(\.boxes.conf), "no native bf16: float32")
        }
        let dir = try TempDirectory.make(for: self, prefix: "quantize-api")
        let data = try Fixtures.writeCoco8PoseYAML(in: dir)
        // The same validation as a Validator with .bfloat16 (the checkpoint's imgsz, batch 16): equal metrics. (Against
        // float32 these settings are a poor yardstick: 14 instances, and one of them crosses the F1-optimal threshold
        // at this shared letterbox shape, moving P and R by 0.07; BF16InferenceTests compares the precisions at 640.)
        let m16 = try model.val(data: data, verbose: false, quantize: 16).resultsDict
        let net = try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt"))
        var o = ValOptions()
        o.imgsz = net.defaultImgsz?.first ?? 640
        o.verbose = false
        o.precision = .bfloat16
        let direct = try Validator(model: net, data: try DataConfig.load(data), options: o).run().resultsDict
        for key in PoseMetrics.keys { XCTAssertEqual(m16[key], direct[key], key) }
    }
}
