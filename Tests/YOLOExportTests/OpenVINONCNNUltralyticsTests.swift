import Foundation
import XCTest
import YOLOEngine
import YOLOModel
import YOLOTestSupport
@testable import YOLOExport

/// The reference's own loader (`YOLO(folder).predict`, Ultralytics 8.4.190 with the openvino/ncnn runtimes) reads our
/// OpenVINO and ncnn folders — metadata.yaml, input/output binding, output layout — and predicts what it predicts
/// from our ONNX file of the same checkpoint.
final class OpenVINONCNNUltralyticsTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testUltralyticsPredictsTheSameFromOurFolders() throws {
        let h = try OVNCNNHarness()
        defer { h.cleanUp() }
        let net = try YOLONetwork.load(try h.copy("overfit-n-pose.pt"))
        let onnx = try net.export(format: "onnx")
        let openvino = try net.export(format: "openvino")
        let ncnn = try net.export(format: "ncnn")
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000113.jpg").path
        let result = try ReferencePython.json("predict_export.py", ["416", image, onnx.path, openvino.path + "/", ncnn.path],
                                              timeout: 600)
        let base = try XCTUnwrap(result[onnx.path] as? [String: Any])
        let baseConf = base["conf"] as! [Double]
        XCTAssertGreaterThan(baseConf.count, 0, "people found in \(image)")
        for (label, key) in [("openvino", openvino.path + "/"), ("ncnn", ncnn.path)] {
            let r = try XCTUnwrap(result[key] as? [String: Any], label)
            XCTAssertEqual(r["names"] as? [String: String], ["0": "person"], label)
            let conf = r["conf"] as! [Double]
            XCTAssertEqual(conf.count, baseConf.count, "\(label): detections")
            guard conf.count == baseConf.count else { continue }
            let boxes = (r["boxes"] as! [[Double]]).flatMap { $0 }, baseBoxes = (base["boxes"] as! [[Double]]).flatMap { $0 }
            let kpts = (r["keypoints"] as! [[[Double]]]).flatMap { $0.flatMap { $0 } }
            let baseKpts = (base["keypoints"] as! [[[Double]]]).flatMap { $0.flatMap { $0 } }
            XCTAssertEqual(kpts.count, conf.count * 17 * 3, "\(label): 17 keypoints × (x, y, v)")
            let d = (conf: zip(conf, baseConf).map { abs($0 - $1) }.max() ?? 0,
                     boxes: zip(boxes, baseBoxes).map { abs($0 - $1) }.max() ?? 0,
                     kpts: zip(kpts, baseKpts).map { abs($0 - $1) }.max() ?? 0)
            print("[export] Ultralytics predict, \(label) vs our ONNX: \(conf.count) detections, max diff conf \(d.conf), boxes \(d.boxes) px, keypoints \(d.kpts)")
            XCTAssertLessThanOrEqual(d.conf, 1e-4, label)
            XCTAssertLessThanOrEqual(d.boxes, 0.01, label)
            XCTAssertLessThanOrEqual(d.kpts, 0.01, label)
        }
    }
}
