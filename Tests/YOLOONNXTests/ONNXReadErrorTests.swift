import Foundation
import ONNXProto
import SwiftProtobuf
import XCTest
import YOLOTestSupport
@testable import YOLOONNX

/// Files the reader must refuse with one clear line naming the file (and the op, for unsupported ops).
final class ONNXReadErrorTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private var source: URL { Fixtures.url("onnx/tiny-k12d2-320.onnx") }

    /// Writes `source` modified by `edit` and returns its path.
    private func variant(_ name: String, _ edit: (inout Onnx_ModelProto) -> Void) throws -> String {
        var m = try Onnx_ModelProto(serializedBytes: Data(contentsOf: source))
        edit(&m)
        let url = dir.appendingPathComponent(name)
        try m.serializedData().write(to: url)
        return url.path
    }

    private func message(_ path: String) -> String {
        do {
            _ = try ONNXModel(contentsOf: path)
            XCTFail("\(path) loaded")
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)")
            XCTAssertTrue(text.hasPrefix(path), "names the file: \(text)")
            return text
        }
    }

    func testTruncatedFile() throws {
        let data = try Data(contentsOf: source)
        for cut in [data.count / 2, data.count - 1000, 100] {
            let url = dir.appendingPathComponent("truncated-\(cut).onnx")
            try data.prefix(cut).write(to: url)
            let text = message(url.path)
            XCTAssertTrue(text.contains("not a valid ONNX model") || text.contains("not an Ultralytics YOLO ONNX export"), text)
        }
        let garbage = dir.appendingPathComponent("garbage.onnx")
        try Data("this is not a protobuf at all\u{1}\u{2}\u{3}".utf8).write(to: garbage)
        XCTAssertTrue(message(garbage.path).contains("not a valid ONNX model"))
        XCTAssertTrue(message(dir.appendingPathComponent("missing.onnx").path).contains("cannot read"))
    }

    func testUnsupportedOp() throws {
        let path = try variant("unsupported.onnx") { m in
            let i = m.graph.node.firstIndex { $0.opType == "Sigmoid" }!
            m.graph.node[i].opType = "HardSwish"
        }
        let text = message(path)
        XCTAssertTrue(text.contains("unsupported ONNX op 'HardSwish'"), text)
        let quantized = try variant("custom-domain.onnx") { m in m.graph.node[3].domain = "com.microsoft" }
        XCTAssertTrue(message(quantized).contains("unsupported ONNX op 'com.microsoft."), "custom domains are named")
    }

    func testNotAYOLOGraph() throws {
        XCTAssertTrue(message(try variant("no-metadata.onnx") { $0.metadataProps = [] }).contains("no Ultralytics metadata_props"))
        let segment = try variant("segment.onnx") { m in
            for i in m.metadataProps.indices where m.metadataProps[i].key == "task" { m.metadataProps[i].value = "segment" }
        }
        XCTAssertTrue(message(segment).contains("task 'segment'"))
        let asymmetric = try variant("pads.onnx") { m in
            let i = m.graph.node.firstIndex { $0.opType == "Conv" }!
            let a = m.graph.node[i].attribute.firstIndex { $0.name == "pads" }!
            m.graph.node[i].attribute[a].ints = [1, 1, 0, 0]
        }
        XCTAssertTrue(message(asymmetric).contains("only symmetric 2-D padding"))
    }

    /// The CLI prints the error as one line on stderr and exits 1.
    func testCLIReportsOneLine() throws {
        let data = try Data(contentsOf: source)
        let url = dir.appendingPathComponent("cut.onnx")
        try data.prefix(data.count / 3).write(to: url)
        let run = try YOLOBinary.run(["pose", "predict", "model=\(url.path)", "source=\(Fixtures.coco8Pose.path)/images/val"],
                                     cwd: dir, testClass: Self.self)
        XCTAssertEqual(run.status, 1)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, run.stderr)
        XCTAssertTrue(lines.first?.contains(url.path) ?? false, run.stderr)
    }
}
