import Foundation
import XCTest
import YOLOTestSupport

/// `yolo export format=openvino|ncnn` run as a user would: the reference's console lines (spec export.md §8: prefix
/// line, success line with the folder's size and display path, Predict/Validate hints), the folder beside the
/// weights, and an argument outside the format's allow-list (§1.4) failing without writing anything.
final class OpenVINONCNNExportCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ovn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("tiny-k12d2-pose.pt"),
                                         to: dir.appendingPathComponent("sub/tiny-k12d2-pose.pt"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func yolo(_ args: [String]) throws -> YOLOBinary.Run {
        try YOLOBinary.run(args, cwd: dir, testClass: OpenVINONCNNExportCLITests.self)
    }

    func contents(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(path).path).sorted()
    }

    static func blue(_ s: String) -> String { "\u{1B}[34m\u{1B}[1m\(s):\u{1B}[0m" }

    func testOpenVINOSuccess() throws {
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=openvino", "imgsz=320", "half=True"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertEqual(try contents("sub"), ["tiny-k12d2-pose.pt", "tiny-k12d2-pose_openvino_model"])
        XCTAssertEqual(try contents("sub/tiny-k12d2-pose_openvino_model"),
                       ["metadata.yaml", "tiny-k12d2-pose.bin", "tiny-k12d2-pose.xml"])
        let lines = r.stdout.components(separatedBy: "\n")
        XCTAssertTrue((r.stdout + r.stderr).contains("WARNING ⚠️ 'half' is deprecated and will be removed in the future. Use 'quantize' instead."), r.stdout)
        XCTAssertTrue(lines.contains("\(Self.blue("OpenVINO")) starting export with openvino 2026.4.1-22982-e213a147257-releases/2026/4..."), r.stdout)
        XCTAssertTrue(lines.contains { $0.range(of: #"^\S+OpenVINO:\S+ export success ✅ \d+\.\ds, saved as 'sub/tiny-k12d2-pose_openvino_model/' \(2\.\d MB\)$"#, options: .regularExpression) != nil }, r.stdout)
        XCTAssertTrue(lines.contains("Predict:         yolo predict task=pose model=sub/tiny-k12d2-pose_openvino_model/ imgsz=320 quantize=16"), r.stdout)
        let yaml = try String(contentsOf: dir.appendingPathComponent("sub/tiny-k12d2-pose_openvino_model/metadata.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("args:\n  data: null\n  batch: 1\n  fraction: 1.0\n  quantize: 16\n  nms: null\n  dynamic: false\n"), yaml)
    }

    func testNCNNSuccess() throws {
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=ncnn", "imgsz=320"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertEqual(try contents("sub/tiny-k12d2-pose_ncnn_model"),
                       ["metadata.yaml", "model.ncnn.bin", "model.ncnn.param", "model_ncnn.py"])
        let lines = r.stdout.components(separatedBy: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(Self.blue("NCNN")) starting export with NCNN 1.0.20261020") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.range(of: #"^\S+NCNN:\S+ export success ✅ \d+\.\ds, saved as 'sub/tiny-k12d2-pose_ncnn_model' \(3\.\d MB\)$"#, options: .regularExpression) != nil }, r.stdout)
        XCTAssertTrue(lines.contains("Predict:         yolo predict task=pose model=sub/tiny-k12d2-pose_ncnn_model imgsz=320 "), r.stdout)
        let param = try String(contentsOf: dir.appendingPathComponent("sub/tiny-k12d2-pose_ncnn_model/model.ncnn.param"), encoding: .utf8)
        XCTAssertTrue(param.hasPrefix("7767517\n"), param)
        XCTAssertTrue(param.contains("\nInput                    in0                      0 1 in0\n"), param)
    }

    /// `dynamic` is not in ncnn's allow-list; `opset` not in OpenVINO's: exit 1, the reference's message, no folder.
    func testDisallowedArgumentsFail() throws {
        for (format, arg, display) in [("ncnn", "dynamic=True", "NCNN"), ("openvino", "opset=12", "OpenVINO")] {
            let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=\(format)", arg])
            XCTAssertEqual(r.status, 1, "\(format) \(arg): \(r.stdout)")
            let name = String(arg.split(separator: "=")[0])
            let message = "argument '\(name)' is not supported for format='\(format)'"
            XCTAssertTrue((r.stdout + r.stderr).contains(message), "\(format): \(r.stdout)\n\(r.stderr)")
            XCTAssertTrue(r.stdout.contains("Export to \(display) in the cloud with Ultralytics Platform"), r.stdout)
            XCTAssertEqual(try contents("sub"), ["tiny-k12d2-pose.pt"], "nothing written for \(format)")
        }
    }
}
