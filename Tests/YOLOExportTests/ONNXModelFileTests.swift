import Foundation
import ONNXProto
import XCTest
import YOLOModel
import YOLOTestSupport
@testable import YOLOExport

/// Reading our `.onnx` back with the generated protobuf types (what an ONNX reader builds on).
final class ONNXModelFileTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testReadBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pt = dir.appendingPathComponent("tiny-k12d2-pose.pt")
        try FileManager.default.copyItem(at: Fixtures.url("tiny-k12d2-pose.pt"), to: pt)
        let net = try YOLONetwork.load(pt.path)
        let url = try net.export(format: "onnx", imgsz: [256, 320], batch: 2)
        XCTAssertEqual(url, dir.appendingPathComponent("tiny-k12d2-pose.onnx"))
        let model = try ONNXModelFile.read(url)
        XCTAssertEqual(model.irVersion, 8)
        XCTAssertEqual(model.opsetImport.map(\.version), [18])
        XCTAssertEqual(model.graph.name, "main_graph")
        XCTAssertEqual(model.graph.input.map(\.name), ["images"])
        XCTAssertEqual(model.graph.input[0].type.tensorType.shape.dim.map(\.dimValue), [2, 3, 256, 320])
        XCTAssertEqual(model.graph.output[0].type.tensorType.shape.dim.map(\.dimValue), [2, 29, 1680])
        XCTAssertEqual(model.metadataProps.map(\.key), ["description", "author", "date", "version", "license", "docs",
                                                       "stride", "task", "head", "batch", "imgsz", "names", "args",
                                                       "channels", "end2end", "kpt_shape"])
        XCTAssertEqual(model.metadataProps.first { $0.key == "imgsz" }?.value, "[256, 320]")
        XCTAssertEqual(model.metadataProps.first { $0.key == "batch" }?.value, "2")
        // The first conv's weights are the BN-folded ones `fuse()` computes, bit for bit.
        let w = try XCTUnwrap(model.graph.initializer.first { $0.name == "model.0.conv.weight" })
        XCTAssertEqual(w.dims, [8, 3, 3, 3])
        XCTAssertEqual(w.dataType, 1)
        let stored = w.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        net.fuse()
        let first = (net.model[0] as! ConvBlock).conv.weight.toArray()
        XCTAssertEqual(stored, first)
        XCTAssertEqual(model.graph.node.first?.opType, "Conv")
        XCTAssertEqual(model.graph.node.first?.name, "/model.0/conv/Conv")
        XCTAssertFalse(model.graph.valueInfo.isEmpty, "shape annotations with simplify")
    }
}
