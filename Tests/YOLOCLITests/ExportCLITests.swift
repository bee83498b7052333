import Foundation
import XCTest
import YOLOTestSupport

/// `yolo export` run as a user would: console lines (spec export.md §8), file naming beside the weights, and the
/// error cases of §1/§8.2 (one `Error:` line on stderr, exit 1, no partial file left).
final class ExportCLITests: XCTestCase {
    typealias Run = YOLOBinary.Run
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for f in ["tiny-k12d2-pose.pt", "tiny-detect.pt"] {
            try FileManager.default.copyItem(at: Fixtures.url(f), to: dir.appendingPathComponent("sub/\(f)"))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func yolo(_ args: [String]) throws -> Run {
        try YOLOBinary.run(args, cwd: dir, testClass: ExportCLITests.self)
    }

    /// Files in `sub/` (hidden temporaries included).
    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path).sorted()
    }

    func assertFailure(_ r: Run, stderr contains: String, stdoutHas: [String] = [], file: StaticString = #filePath,
                       line: UInt = #line) throws {
        XCTAssertEqual(r.status, 1, "exit status; stdout: \(r.stdout)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one error line, got: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("Error: "), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(contains), "'\(contains)' not in: \(r.stderr)", file: file, line: line)
        for s in stdoutHas { XCTAssertTrue(r.stdout.contains(s), "'\(s)' not in stdout: \(r.stdout)", file: file, line: line) }
        XCTAssertEqual(try files(), ["tiny-detect.pt", "tiny-k12d2-pose.pt"], "nothing written", file: file, line: line)
    }

    func testSuccessConsoleAndNaming() throws {
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "imgsz=320"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try files(), ["tiny-k12d2-pose.onnx", "tiny-k12d2-pose.pt", "tiny-detect.pt"].sorted())
        let lines = r.stdout.components(separatedBy: "\n")
        let blue = { (s: String) in "\u{1B}[34m\u{1B}[1m\(s):\u{1B}[0m" }
        // The reference's lines (Tests/Fixtures/export/reference.json "cli-tiny-k12d2"), ours after the banner.
        XCTAssertTrue(lines[0].contains("🚀"), lines[0])
        XCTAssertEqual(lines[1], "tiny-k12d2-pose summary (fused): 81 layers, 975,819 parameters, 0 gradients, 0.8 GFLOPs")
        XCTAssertEqual(lines[2], "")
        XCTAssertEqual(lines[3], "\(blue("PyTorch")) starting from 'sub/tiny-k12d2-pose.pt' with input shape (1, 3, 320, 320) BCHW and output shape(s) (1, 29, 2100) (2.0 MB)")
        XCTAssertEqual(lines[4], "")
        XCTAssertEqual(lines[5], "\(blue("ONNX")) starting export with onnx 1.23.2 opset 18...")
        XCTAssertTrue(lines[6].hasPrefix("\(blue("ONNX")) slimming"), lines[6])
        XCTAssertNotNil(lines[7].range(of: #"export success ✅ \d+\.\ds, saved as 'sub/tiny-k12d2-pose\.onnx' \(3\.\d MB\)$"#,
                                       options: .regularExpression), lines[7])
        XCTAssertEqual(lines[8], "")
        XCTAssertNotNil(lines[9].range(of: #"^Export complete \(\d+\.\ds\)$"#, options: .regularExpression), lines[9])
        let abs = dir.resolvingSymlinksInPath().appendingPathComponent("sub/tiny-k12d2-pose.onnx").path
        XCTAssertEqual(lines[10], "Results saved to \u{1B}[1m\(abs)\u{1B}[0m")
        XCTAssertEqual(lines[11], "Predict:         yolo predict task=pose model=sub/tiny-k12d2-pose.onnx imgsz=320 ")
        XCTAssertEqual(lines[12], "Validate:        yolo val task=pose model=sub/tiny-k12d2-pose.onnx imgsz=320  ")
        XCTAssertEqual(lines[13], "Visualize:       https://netron.app")
        XCTAssertEqual(lines[14], "💡 Learn more at https://docs.ultralytics.com/modes/export")
    }

    func testWarningsAliasesAndHalf() throws {
        let r = try yolo(["export", "model=./sub//tiny-k12d2-pose.pt", "format=ONXX", "imgsz=300,200", "half=True"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("WARNING ⚠️ Invalid export format='onxx', updating to format='onnx'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("WARNING ⚠️ imgsz=[300, 200] must be multiple of max stride 32, updating to [320, 224]"), r.stdout)
        XCTAssertTrue(r.stderr.contains("'half' is deprecated and will be removed in the future. Use 'quantize' instead."), r.stderr)
        XCTAssertTrue(r.stdout.contains("converting to FP16..."), r.stdout)
        XCTAssertTrue(r.stdout.contains("input shape (1, 3, 320, 224) BCHW and output shape(s) (1, 29, 1470)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Predict:         yolo predict task=pose model=sub/tiny-k12d2-pose.onnx imgsz=320,224 quantize=16\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Validate:        yolo val task=pose model=sub/tiny-k12d2-pose.onnx imgsz=320,224  quantize=16\n"), r.stdout)
    }

    func testDetectModelWithPoseTask() throws {
        let r = try yolo(["pose", "export", "model=sub/tiny-detect.pt", "format=onnx", "imgsz=64"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("conflicting 'task=pose' passed with 'task=detect' model"), r.stderr)
        XCTAssertTrue(r.stdout.contains("tiny-detect summary (fused): 72 layers, 910,137 parameters"), r.stdout)
        XCTAssertTrue(r.stdout.contains("output shape(s) (1, 7, 84)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("yolo predict task=detect model=sub/tiny-detect.onnx imgsz=64 "), r.stdout)
    }

    func testUnknownFormat() throws {
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=foo"])
        try assertFailure(r, stderr: "Invalid export format='foo'. Valid formats are ('torchscript', 'onnx', 'openvino', 'engine', 'coreml', 'coreai', 'saved_model', 'pb', 'edgetpu', 'litert', 'paddle', 'mnn', 'ncnn', 'imx', 'rknn', 'executorch', 'axelera', 'deepx', 'qnn', 'hailo', 'ascend', 'xilinx')",
                          stdoutHas: ["Export to foo in the cloud with Ultralytics Platform: https://platform.ultralytics.com"])
        XCTAssertFalse(r.stdout.contains("🚀"), "no banner before the format check")
        let pt = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=pt"])
        try assertFailure(pt, stderr: "Model is already in PyTorch format. Valid formats are (")
    }

    func testBadQuantize() throws {
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "quantize=99"]),
                          stderr: "'quantize=99' is invalid. Valid 'quantize' values are 8, 16, 32, 'int8', 'fp16', 'fp32', 'w8a8', 'w16a16', 'w32a32', 'w8a16', or 'w8a32'.",
                          stdoutHas: ["Export to ONNX in the cloud"])
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "quantize=w8a16"]),
                          stderr: "ERROR ❌️ quantize='w8a16' is not supported; format='onnx' supports quantize=16 (FP16), 8 (INT8), 32 or None (FP32).")
    }

    func testDisallowedArguments() throws {
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "workspace=4"]),
                          stderr: "ERROR ❌️ argument 'workspace' is not supported for format='onnx'",
                          stdoutHas: ["🚀", "Export to ONNX in the cloud"])
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=ncnn", "dynamic=True"]),
                          stderr: "ERROR ❌️ argument 'dynamic' is not supported for format='ncnn'",
                          stdoutHas: ["Export to NCNN in the cloud"])
    }

    func testFormatNotImplementedYet() throws {
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=paddle"]),
                          stderr: "format='paddle' (PaddlePaddle) export is not implemented in this build yet; available: 'torchscript', 'onnx', 'openvino', 'ncnn'",
                          stdoutHas: ["Export to PaddlePaddle in the cloud"])
    }

    func testOpsetTooLowFailsInTheONNXStep() throws {
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "opset=8", "imgsz=64"])
        try assertFailure(r, stderr: "ONNX export requires opset>=9 for this model, but got opset=8",
                          stdoutHas: ["ERROR ❌ \u{1B}[34m\u{1B}[1mONNX:\u{1B}[0m export failure 0.0s: ONNX export requires opset>=9 for this model, but got opset=8",
                                      "Export to ONNX in the cloud"])
        try assertFailure(try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "opset=10", "nms=True", "imgsz=64"]),
                          stderr: "ONNX export requires opset>=11 for this model, but got opset=10")
    }

    func testUnwritableDestinationLeavesNothing() throws {
        // A non-empty folder where the file should go: the rename fails, the temporary file is removed.
        let blocker = dir.appendingPathComponent("sub/tiny-k12d2-pose.onnx")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: blocker.appendingPathComponent("keep.txt"))
        let r = try yolo(["export", "model=sub/tiny-k12d2-pose.pt", "format=onnx", "imgsz=64"])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("tiny-k12d2-pose.onnx: cannot write the export: rename"), r.stderr)
        XCTAssertTrue(r.stdout.contains("export failure"), r.stdout)
        XCTAssertEqual(try files(), ["tiny-detect.pt", "tiny-k12d2-pose.onnx", "tiny-k12d2-pose.pt"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blocker.path), ["keep.txt"])
    }

    func testMissingModelFile() throws {
        let r = try yolo(["export", "model=sub/missing.pt", "format=onnx"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.pt"), r.stderr)
    }
}
