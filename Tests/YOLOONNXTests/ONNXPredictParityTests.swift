import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTestSupport
@testable import YOLOONNX

/// `yolo pose predict model=<Ultralytics .onnx>` against Ultralytics predicting with the same file
/// (Tests/Fixtures/onnx/reference.json): same counts and input shapes, boxes and keypoints within 0.5 px, scores within
/// 1e-4, on the coco8-pose val images at conf 0.25.
final class ONNXPredictParityTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    private func reference(_ name: String) -> [[String: Any]] {
        ((ONNXReference.fixture["predict"] as! [String: Any])[name] as! [String: Any])["images"] as! [[String: Any]]
    }

    /// Runs the CLI with save_txt/save_conf in a temp folder; returns stdout and the label lines per image stem.
    private func runCLI(_ model: String) throws -> (stdout: String, labels: [String: [[Double]]]) {
        let cwd = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: cwd) }
        let run = try YOLOBinary.run(["pose", "predict", "model=\(model)",
                                      "source=\(Fixtures.coco8Pose.appendingPathComponent("images/val").path)",
                                      "save=False", "save_txt=True", "save_conf=True", "project=\(cwd.path)", "name=p"],
                                     cwd: cwd, testClass: Self.self)
        XCTAssertEqual(run.status, 0, run.stderr)
        var labels: [String: [[Double]]] = [:]
        let dir = cwd.appendingPathComponent("p/labels")
        for f in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            labels[(f as NSString).deletingPathExtension] = text.split(separator: "\n").map { $0.split(separator: " ").map { Double($0)! } }
        }
        return (run.stdout, labels)
    }

    private func check(_ name: String) throws {
        let path = try ONNXReference.export(name)
        let (stdout, labels) = try runCLI(path)
        XCTAssertTrue(stdout.contains("Loading \(path) for ONNX inference..."), stdout)
        for img in reference(name) {
            let file = img["file"] as! String, stem = (file as NSString).deletingPathExtension
            let shape = img["input_shape"] as! [Int], orig = img["orig_shape"] as! [Int]
            let n = img["n"] as! Int
            let line = stdout.split(separator: "\n").first { $0.contains(file) }.map(String.init) ?? ""
            XCTAssertTrue(line.contains(": \(shape[0])x\(shape[1]) "), "\(name) \(file): input shape, got \(line)")
            XCTAssertTrue(n == 0 ? line.contains("(no detections)") : line.contains(" \(n) person"), "\(name) \(file): count, got \(line)")
            let rows = labels[stem] ?? []
            XCTAssertEqual(rows.count, n, "\(name) \(file): label lines")
            let (h, w) = (Double(orig[0]), Double(orig[1]))
            for (i, det) in (img["detections"] as! [[String: Any]]).enumerated() where i < rows.count {
                let row = rows[i], b = det["xyxy"] as! [Double]
                XCTAssertEqual(Int(row[0]), det["cls"] as! Int)
                let ours = [row[1] * w, row[2] * h, row[3] * w, row[4] * h]
                let ref = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]]
                for k in 0..<4 { XCTAssertEqual(ours[k], ref[k], accuracy: 0.5, "\(name) \(file) det \(i) box[\(k)]") }
                for (k, p) in (det["keypoints"] as! [[Double]]).enumerated() {
                    XCTAssertEqual(row[5 + 3 * k] * w, p[0], accuracy: 0.5, "\(name) \(file) det \(i) kpt \(k) x")
                    XCTAssertEqual(row[6 + 3 * k] * h, p[1], accuracy: 0.5, "\(name) \(file) det \(i) kpt \(k) y")
                    XCTAssertEqual(row[7 + 3 * k], p[2], accuracy: 1e-4, "\(name) \(file) det \(i) kpt \(k) visibility")
                }
                XCTAssertEqual(row.last!, det["conf"] as! Double, accuracy: 1e-4, "\(name) \(file) det \(i) conf")
            }
        }
    }

    /// Static export: letterboxed to its fixed 416×416 input (auto=False), as Ultralytics' backend does.
    func testStaticExport() throws { try check("n-static") }

    /// nms=True export: its output rows are the detections (no second NMS).
    func testNMSExport() throws { try check("n-nms") }

    /// Dynamic export: minimal-rectangle letterbox at the default 640 (not the export's 320), like a `.pt`.
    func testDynamicExportPreprocessing() throws {
        let model = try ONNXModel(contentsOf: Fixtures.path("onnx/tiny-k5-dynamic.onnx"))
        let predictor = try Predictor(backend: model, options: { var o = PredictOptions(); o.verbose = false; return o }())
        XCTAssertTrue(predictor.letterboxAuto)
        for img in reference("tiny-k5-dynamic") {
            let r = try predictor.predict(ImageIO.read(Fixtures.coco8Pose.appendingPathComponent("images/val/\(img["file"] as! String)")))
            XCTAssertEqual([r.inputShape.height, r.inputShape.width], img["input_shape"] as! [Int], "\(img["file"]!)")
            XCTAssertEqual(r.count, img["n"] as! Int)
        }
    }
}
