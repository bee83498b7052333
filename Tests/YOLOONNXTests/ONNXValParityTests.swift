import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTestSupport
@testable import YOLOONNX

/// `val` with Ultralytics-exported ONNX files against Ultralytics validating the same files
/// (Tests/Fixtures/onnx/reference.json): the eight metrics within 1e-3. A static export runs at its own size and
/// batch without rect batches ("Setting batch=1 input of shape (1, 3, 416, 416)"), whatever imgsz/batch say.
final class ONNXValParityTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    private func reference(_ name: String) -> [String: Any] {
        (ONNXReference.fixture["val"] as! [String: Any])[name] as! [String: Any]
    }

    private func check(_ name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-val-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try DataConfig.load(try Fixtures.writeCoco8PoseYAML(in: dir))
        var o = ValOptions()  // imgsz 640, batch 16: both overridden by the static export
        o.verbose = true
        o.printSpeed = false
        let validator = try Validator(backend: try ONNXModel(contentsOf: try ONNXReference.export(name)), data: data, options: o)
        var lines: [String] = []
        validator.log = { lines.append($0) }
        let metrics = try validator.run()
        print("ONNX val \(name): \(metrics.resultsDict.sorted { $0.key < $1.key })")
        let ref = reference(name)
        let expected = ref["results_dict"] as! [String: Double]
        for key in PoseMetrics.keys {
            XCTAssertEqual(metrics.resultsDict[key]!, expected[key]!, accuracy: 1e-3, "\(name) \(key)")
        }
        let console = ref["console"] as! [String]
        XCTAssertEqual(lines.filter { $0.hasPrefix("Setting batch") }, [console[0]])
        Self.assertRow(lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("all") } ?? "", console[1])
    }

    /// Table rows agree: same text, or the same counts and every 3-significant-digit value within one unit of the
    /// last digit (a metric of exactly 0.1425 prints as 0.142 or 0.143 depending on its last bit).
    static func assertRow(_ ours: String, _ ref: String, file: StaticString = #filePath, line: UInt = #line) {
        let a = ours.split(separator: " "), b = ref.split(separator: " ")
        XCTAssertEqual(a.count, b.count, "row '\(ours)' vs '\(ref)'", file: file, line: line)
        XCTAssertEqual(a.prefix(3), b.prefix(3), "row '\(ours)' vs '\(ref)'", file: file, line: line)
        for (x, y) in zip(a.dropFirst(3), b.dropFirst(3)) {
            XCTAssertEqual(Double(x)!, Double(y)!, accuracy: 1.01e-3, "row '\(ours)' vs '\(ref)'", file: file, line: line)
        }
    }

    func testStaticExport() throws { try check("n-static") }

    func testNMSExport() throws { try check("n-nms") }

    /// The CLI prints the reference's batch line and table row.
    func testCLI() throws {
        let cwd = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-val-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: cwd) }
        let yaml = try Fixtures.writeCoco8PoseYAML(in: cwd)
        let run = try YOLOBinary.run(["pose", "val", "model=\(try ONNXReference.export("n-static"))", "data=\(yaml)", "plots=False"],
                                     cwd: cwd, testClass: Self.self)
        XCTAssertEqual(run.status, 0, run.stderr)
        let console = reference("n-static")["console"] as! [String]
        XCTAssertTrue(run.stdout.contains(console[0]), "missing '\(console[0])' in\n\(run.stdout)")
        let row = run.stdout.split(separator: "\n").last { $0.trimmingCharacters(in: .whitespaces).hasPrefix("all") }
        Self.assertRow(row.map { String($0.split(separator: "\r").last ?? $0) } ?? "", console[1])
    }
}
