import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOExport
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOONNX

/// Our evaluator's raw output equals ONNX Runtime's on the same file and input (max abs diff ≤ 1e-3): Ultralytics'
/// static, dynamic (two shapes and a batch of 2), custom-keypoint and nms=True exports, and exports made by our own
/// exporter.
final class ONNXRuntimeParityTests: XCTestCase {
    private func compare(_ path: String, _ inputs: [Tensor], atol: Float = 1e-3, file: StaticString = #filePath,
                         line: UInt = #line) throws -> ONNXModel {
        let model = try ONNXModel(contentsOf: path)
        let reference = try ONNXReference.onnxRuntime(path, inputs.map(ONNXReference.nchw))
        for (x, ort) in zip(inputs, reference) {
            let ours = try model.forward(x)
            XCTAssertEqual(ours.shape, ort.shape, "\(path): output shape", file: file, line: line)
            let diff = maxAbsDiff(ours.toArray(), ort.toArray())
            print("ONNX parity \((path as NSString).lastPathComponent) input \(x.shape): max |ours − ORT| = \(diff)")
            assertClose(ours.toArray(), ort.toArray(), atol: atol, "\(path) input \(x.shape)", file: file, line: line)
            // The second run at a shape starts from the cached shape-only values: same result.
            XCTAssertEqual(try model.forward(x).toArray(), ours.toArray(), "cached run differs", file: file, line: line)
        }
        return model
    }

    func testUltralyticsStaticExport() throws {
        let path = try ONNXReference.export("n-static")
        let model = try compare(path, [try ONNXReference.letterboxedInput("000000000110.jpg", size: (416, 416))])
        XCTAssertEqual(model.program.fusedSiLU, 63, model.programSummary)
        XCTAssertFalse(model.program.steps.contains { $0.node.op == "Sigmoid" && $0.node.name.contains("/act/") },
                       "every Conv→Sigmoid→Mul runs as one fused convolution")
        print(model.programSummary)
    }

    func testUltralyticsDynamicExportAtSeveralShapes() throws {
        let x320 = try ONNXReference.npyInput("input-320x320.npy")
        let x480 = try ONNXReference.npyInput("input-480x640.npy")
        let pair = Tensor(uninitializedShape: [2] + x480.shape.dropFirst())
        pair.pointer.update(from: x480.pointer, count: x480.count)
        for i in 0..<x480.count { pair.pointer[x480.count + i] = 1 - x480.pointer[i] }
        let model = try compare(Fixtures.path("onnx/tiny-k5-dynamic.onnx"), [x320, pair])
        XCTAssertTrue(model.isDynamic)
        XCTAssertNil(model.fixedInputSize)
        XCTAssertEqual(model.program.shapeCache.count, 2, "one cache entry per input shape")
    }

    func testUltralyticsCustomKeypointExport() throws {
        let model = try compare(Fixtures.path("onnx/tiny-k12d2-320.onnx"), [try ONNXReference.npyInput("input-320x320.npy")])
        XCTAssertEqual(model.kptShape, [12, 2])
    }

    func testUltralyticsNMSExport() throws {
        let path = try ONNXReference.export("n-nms")
        let model = try compare(path, [try ONNXReference.letterboxedInput("000000000110.jpg", size: (416, 416)),
                                       try ONNXReference.letterboxedInput("000000000151.jpg", size: (416, 416))])
        XCTAssertTrue(model.isEndToEnd)
    }

    /// Files written by our exporter (YOLOExport): the n model with embedded NMS (static 320) and dynamic. (A random
    /// tiny model is no good for the NMS case: its hundreds of near-equal scores order differently under float noise.)
    func testOwnExports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func export(_ checkpoint: String, _ configure: (inout ExportArguments) -> Void) throws -> String {
            let pt = dir.appendingPathComponent(UUID().uuidString + ".pt")
            try FileManager.default.copyItem(at: Fixtures.url(checkpoint), to: pt)
            var args = ExportArguments(format: "onnx")
            configure(&args)
            return try Exporter(arguments: args, log: .silent).run(network: YOLONetwork.load(pt.path), modelPath: pt.path).url.path
        }
        let nms = try export("overfit-n-pose.pt") { $0.imgsz = [320]; $0.nms = true }
        _ = try compare(nms, [try ONNXReference.npyInput("input-320x320.npy")])
        let dynamic = try export("overfit-n-pose.pt") { $0.dynamic = true }
        _ = try compare(dynamic, [try ONNXReference.letterboxedInput("000000000113.jpg", size: (416, 288))])
    }

    /// Every `.onnx` in `$YOLO_ONNX_VARIANTS_DIR` (e.g. exports with opset=12, simplify=False, half=True, batch=2,
    /// dynamic nms) against ONNX Runtime at its own input size (320×320 for dynamic files), batch = export batch.
    /// Skipped when the variable is unset; FP16 files get a looser tolerance (ORT computes in half precision).
    func testExportVariantsFromEnvironment() throws {
        guard let dir = ProcessInfo.processInfo.environment["YOLO_ONNX_VARIANTS_DIR"] else { throw XCTSkip("YOLO_ONNX_VARIANTS_DIR not set") }
        let x320 = try ONNXReference.npyInput("input-320x320.npy")
        for f in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where f.hasSuffix(".onnx") {
            let path = (dir as NSString).appendingPathComponent(f)
            let model = try ONNXModel(contentsOf: path)
            let size = model.fixedInputSize ?? (320, 320)
            let batch = model.exportBatch ?? (model.isEndToEnd ? model.metadata.batch : 1)
            let one = size == (320, 320) ? x320 : try ONNXReference.letterboxedInput("000000000110.jpg", size: (size.height, size.width))
            let x = Tensor(uninitializedShape: [batch] + one.shape.dropFirst())
            for b in 0..<batch { for i in 0..<one.count { x.pointer[b * one.count + i] = b == 0 ? one.pointer[i] : 1 - one.pointer[i] } }
            _ = try compare(path, [x], atol: f.contains("fp16") ? 0.5 : 1e-3)
        }
    }
}
