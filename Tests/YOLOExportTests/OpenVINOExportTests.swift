import Foundation
import XCTest
import YOLOEngine
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOExport

/// Our `<stem>_openvino_model/` folders under OpenVINO's own runtime (reference venv, `openvino` from PyPI) against
/// our forward, and their layout against the reference's export of the same checkpoint
/// (Tests/Fixtures/export/openvino-ncnn-reference.json).
///
/// Tolerances (max abs diff over the whole output; pixel values up to ~640):
/// * FP32 IR (OpenVINO CPU at f32 precision) vs our forward: 1e-3.
/// * FP16 weights (`quantize=16`; computed in f32 from f16-rounded weights, as the reference's IR): pixel channels
///   ≤ 1.5 px, class scores ≤ 5e-3 vs our FP32 forward.
final class OpenVINOExportTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    static let images = ["val/000000000113.jpg", "val/000000000136.jpg", "train/000000000049.jpg"]
    /// The checkpoints with their training size (the export's default imgsz) and class count.
    static let checkpoints: [(name: String, size: Int, nc: Int)] = [("overfit-n-pose.pt", 416, 1), ("tiny-k12d2-pose.pt", 640, 1)]

    func testStaticExportsMatchOurForwardAndTheReferenceLayout() throws {
        let h = try OVNCNNHarness()
        defer { h.cleanUp() }
        let reference = try OVNCNNHarness.reference()
        var cases: [(ckpt: String, size: Int, nc: Int, quantize: ExportQuantize?, folder: URL, inputs: [Tensor])] = []
        for c in Self.checkpoints {
            let inputs = try Self.images.map { try OVNCNNHarness.letterboxed([$0], height: c.size, width: c.size) }
            for q in [nil, ExportQuantize.fp16] {
                let net = try YOLONetwork.load(try h.copy(c.name, into: q == nil ? "fp32" : "fp16"))
                let folder = try net.export(format: "openvino", quantize: q)
                try h.add("openvino", model: folder, inputs: inputs)
                cases.append((c.name, c.size, c.nc, q, folder, inputs))
            }
        }
        let runs = try h.run()
        for (k, c) in cases.enumerated() {
            let label = "\(c.ckpt) openvino quantize=\(c.quantize.map { "\($0)" } ?? "None")"
            let ref = try XCTUnwrap(reference[c.ckpt]?["openvino-\(c.quantize == nil ? 32 : 16)"], label)
            // Layout and metadata.
            let stem = (c.ckpt as NSString).deletingPathExtension
            XCTAssertEqual(c.folder.lastPathComponent, ref["folder"] as? String, label)
            let files = try OVNCNNHarness.files(c.folder)
            let refFiles = ref["files"] as! [String: Int]
            XCTAssertEqual(Set(files.keys), Set(refFiles.keys), label)
            XCTAssertEqual(Set(files.keys), ["\(stem).xml", "\(stem).bin", "metadata.yaml"], label)
            let binRatio = Double(files["\(stem).bin"] ?? 0) / Double(refFiles["\(stem).bin"] ?? 1)
            XCTAssertEqual(binRatio, 1, accuracy: 0.01, "\(label): .bin size vs the reference's")
            XCTAssertEqual(try OVNCNNHarness.maskedMetadata(c.folder), ref["metadata"] as? String, label)
            // Interface, rt_info and op inventory as OpenVINO reads them.
            let ours = runs[k].describe, theirs = ref["describe"] as! [String: Any]
            XCTAssertEqual(ours["inputs"] as? [[AnyHashable]], theirs["inputs"] as? [[AnyHashable]], "\(label): inputs")
            XCTAssertEqual("\(ours["outputs"]!)", "\(theirs["outputs"]!)", "\(label): outputs")
            XCTAssertEqual(ours["model_info"] as? [String: String], theirs["model_info"] as? [String: String], label)
            let ops = ours["ops"] as! [String: Int], refOps = theirs["ops"] as! [String: Int]
            // The C2f splits are VariadicSplits in both; the reference's DFL chunk is one more (our box slices are Slices).
            XCTAssertEqual(ops["VariadicSplit"].map { $0 + 1 }, refOps["VariadicSplit"], "\(label): VariadicSplit count")
            for op in ["Convolution", "Swish", "MaxPool", "Interpolate", "Softmax", "Transpose", "Sigmoid",
                       "Reshape", "Parameter", "Result"] {
                XCTAssertEqual(ops[op], refOps[op], "\(label): \(op) count")
            }
            if c.quantize == .fp16 {
                let types = ours["const_types"] as! [String: Int], refTypes = theirs["const_types"] as! [String: Int]
                XCTAssertEqual(types.keys.filter { $0.contains("16") }.sorted(), refTypes.keys.filter { $0.contains("16") }.sorted(), label)
                XCTAssertGreaterThanOrEqual(ops["Convert"] ?? 0, 73 * 2, "\(label): decompression Converts")
            }
            // Numbers.
            var worst: (pixels: Float, scores: Float) = (0, 0)
            for (i, x) in c.inputs.enumerated() {
                let mine = try OVNCNNHarness.forward(c.ckpt, x)
                XCTAssertEqual(runs[k].outputs[i].shape, mine.shape, label)
                let d = OVNCNNHarness.difference(runs[k].outputs[i].values, mine.toArray(), channels: mine.shape[1], nc: c.nc)
                worst = (max(worst.pixels, d.pixels), max(worst.scores, d.scores))
            }
            print("[export] \(label) @\(c.size): max |OpenVINO(ours) − our forward| = \(worst.pixels) (pixel channels), \(worst.scores) (scores)")
            if c.quantize == nil {
                XCTAssertLessThanOrEqual(max(worst.pixels, worst.scores), 1e-3, label)
            } else {
                XCTAssertLessThanOrEqual(worst.pixels, 1.5, "\(label): pixel channels")
                XCTAssertLessThanOrEqual(worst.scores, 5e-3, "\(label): scores")
            }
        }
    }

    /// `dynamic=True`: input `[?,3,?,?]`; other sizes and batches than exported run and match our forward.
    func testDynamicExportRunsAtOtherShapes() throws {
        let h = try OVNCNNHarness()
        defer { h.cleanUp() }
        let net = try YOLONetwork.load(try h.copy("tiny-k12d2-pose.pt"))
        let folder = try net.export(format: "openvino", imgsz: [320], dynamic: true)
        let inputs = [
            try OVNCNNHarness.letterboxed(["val/000000000110.jpg"], height: 320, width: 320),
            try OVNCNNHarness.letterboxed(["val/000000000113.jpg", "val/000000000136.jpg"], height: 256, width: 384),
        ]
        try h.add("openvino", model: folder, inputs: inputs)
        let run = try h.run()[0]
        XCTAssertEqual("\(run.describe["inputs"]!)", "\([[["x.1"], "[?,3,?,?]", "<Type: 'float32'>"]])")
        XCTAssertTrue(try OVNCNNHarness.maskedMetadata(folder).contains("  dynamic: true\n"))
        for (i, x) in inputs.enumerated() {
            let mine = try OVNCNNHarness.forward("tiny-k12d2-pose.pt", x)
            XCTAssertEqual(run.outputs[i].shape, mine.shape)
            let d = OVNCNNHarness.difference(run.outputs[i].values, mine.toArray(), channels: mine.shape[1], nc: 1)
            print("[export] openvino dynamic tiny-k12d2 input \(x.shape): max diff \(max(d.pixels, d.scores))")
            XCTAssertLessThanOrEqual(max(d.pixels, d.scores), 1e-3, "dynamic input \(x.shape)")
        }
    }

    /// `nms=True`: OpenVINO's rows `[x1 y1 x2 y2 score class kpts…]` equal our NMS (conf 0.25, IoU 0.7) on our forward.
    func testEmbeddedNMSMatchesOurNMS() throws {
        let h = try OVNCNNHarness()
        defer { h.cleanUp() }
        let net = try YOLONetwork.load(try h.copy("overfit-n-pose.pt"))
        let folder = try net.export(format: "openvino", imgsz: [320], nms: true)
        let files = ["val/000000000110.jpg", "val/000000000113.jpg", "train/000000000049.jpg"]
        let inputs = try files.map { try OVNCNNHarness.letterboxed([$0], height: 320, width: 320) }
        try h.add("openvino", model: folder, inputs: inputs)
        let run = try h.run()[0]
        XCTAssertTrue(try OVNCNNHarness.maskedMetadata(folder).contains("  nms: true\n"))
        var options = NMSOptions()
        options.conf = 0.25
        options.iou = 0.7
        options.maxDet = 300
        var total = 0
        for (i, x) in inputs.enumerated() {
            let rows = run.outputs[i]
            XCTAssertEqual(rows.shape, [1, 300, 57], files[i])
            let expected = nonMaxSuppression(try OVNCNNHarness.forward("overfit-n-pose.pt", x), nc: 1, options: options)[0]
            let used = (0..<300).filter { r in (0..<57).contains { rows.values[r * 57 + $0] != 0 } }.count
            XCTAssertEqual(used, expected.count, "\(files[i]): detections")
            total += used
            for (r, d) in expected.enumerated() where r < used {
                let row = Array(rows.values[(r * 57)..<((r + 1) * 57)])
                let want = [d.box[0], d.box[1], d.box[2], d.box[3], d.conf, Float(d.cls)] + d.keypoints
                let diff = zip(row, want).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(diff, 2e-3, "\(files[i]) row \(r)")
            }
        }
        print("[export] openvino nms: \(total) rows over \(files.count) images")
        XCTAssertGreaterThan(total, 0, "the overfit model finds people in coco8-pose")
    }
}
