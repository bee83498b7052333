import Foundation
import XCTest
import YOLOEngine
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOExport

/// Our `<stem>_ncnn_model/` folders under ncnn's own runtime (reference venv, `ncnn` from PyPI) against our
/// forward, and their layout against the reference's PNNX-made export of the same checkpoint
/// (Tests/Fixtures/export/openvino-ncnn-reference.json).
///
/// Tolerances (max abs diff over the whole output; pixel values up to ~640; ncnn run with fp16/bf16 storage off):
/// * FP32 bin vs our forward: 1e-3.
/// * FP16 convolution weights (`quantize=16`): pixel channels ≤ 1.5 px, class scores ≤ 5e-3 vs our FP32 forward.
final class NCNNExportTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testExportsMatchOurForwardAndTheReferenceLayout() throws {
        let h = try OVNCNNHarness()
        defer { h.cleanUp() }
        let reference = try OVNCNNHarness.reference()
        var cases: [(ckpt: String, size: Int, nc: Int, quantize: ExportQuantize?, folder: URL, inputs: [Tensor])] = []
        for c in OpenVINOExportTests.checkpoints {
            let inputs = try OpenVINOExportTests.images.map { try OVNCNNHarness.letterboxed([$0], height: c.size, width: c.size) }
            for q in [nil, ExportQuantize.fp16] {
                let net = try YOLONetwork.load(try h.copy(c.name, into: q == nil ? "fp32" : "fp16"))
                let folder = try net.export(format: "ncnn", quantize: q)
                try h.add("ncnn", model: folder, inputs: inputs)
                cases.append((c.name, c.size, c.nc, q, folder, inputs))
            }
        }
        let runs = try h.run()
        for (k, c) in cases.enumerated() {
            let label = "\(c.ckpt) ncnn quantize=\(c.quantize.map { "\($0)" } ?? "None")"
            let ref = try XCTUnwrap(reference[c.ckpt]?["ncnn-\(c.quantize == nil ? 32 : 16)"], label)
            // Layout, metadata and weights size (same tensors, same storage tags → same bytes count).
            XCTAssertEqual(c.folder.lastPathComponent, ref["folder"] as? String, label)
            let files = try OVNCNNHarness.files(c.folder)
            let refFiles = ref["files"] as! [String: Int]
            XCTAssertEqual(Set(files.keys), Set(refFiles.keys), label)
            XCTAssertEqual(files["model.ncnn.bin"], refFiles["model.ncnn.bin"], "\(label): model.ncnn.bin size")
            XCTAssertEqual(try OVNCNNHarness.maskedMetadata(c.folder), ref["metadata"] as? String, label)
            // Param file as ncnn reads it: blob names, layer types, counts.
            let ours = runs[k].describe, theirs = ref["describe"] as! [String: Any]
            XCTAssertEqual(ours["magic"] as? String, "7767517", label)
            XCTAssertEqual(ours["inputs"] as? [String], ["in0"], label)
            XCTAssertEqual(ours["outputs"] as? [String], ["out0"], label)
            XCTAssertEqual(ours["inputs"] as? [String], theirs["inputs"] as? [String], label)
            XCTAssertEqual(ours["outputs"] as? [String], theirs["outputs"] as? [String], label)
            // Same layer types and counts, except that the reference joins the head output in two Concats
            // (box+cls, then keypoints) where our graph has one three-input Concat.
            var types = ours["types"] as! [String: Int], refTypes = theirs["types"] as! [String: Int]
            XCTAssertEqual(types["Concat"].map { $0 + 1 }, refTypes["Concat"], "\(label): Concat count")
            types["Concat"] = nil
            refTypes["Concat"] = nil
            XCTAssertEqual(types, refTypes, "\(label): layer types")
            XCTAssertEqual((ours["counts"] as! [Int]).map { $0 + 1 }, theirs["counts"] as? [Int], "\(label): layer and blob counts")
            // Numbers (ncnn has no batch axis: out0 is [C, A], stacked to [1, C, A]).
            var worst: (pixels: Float, scores: Float) = (0, 0)
            for (i, x) in c.inputs.enumerated() {
                let mine = try OVNCNNHarness.forward(c.ckpt, x)
                XCTAssertEqual(runs[k].outputs[i].shape, mine.shape, label)
                let d = OVNCNNHarness.difference(runs[k].outputs[i].values, mine.toArray(), channels: mine.shape[1], nc: c.nc)
                worst = (max(worst.pixels, d.pixels), max(worst.scores, d.scores))
            }
            print("[export] \(label) @\(c.size): max |ncnn(ours) − our forward| = \(worst.pixels) (pixel channels), \(worst.scores) (scores)")
            if c.quantize == nil {
                XCTAssertLessThanOrEqual(max(worst.pixels, worst.scores), 1e-3, label)
            } else {
                XCTAssertLessThanOrEqual(worst.pixels, 1.5, "\(label): pixel channels")
                XCTAssertLessThanOrEqual(worst.scores, 5e-3, "\(label): scores")
            }
        }
    }

    /// The param text: PNNX's column layout, sorted `k=v` params, arrays as `-233xx=n,…`, Split for shared blobs;
    /// the bin: float16 tag and 4-byte padding.
    func testParamAndBinEncoding() throws {
        var model = NCNNModel()
        model.layers = [
            NCNNLayer(type: "Input", name: "in0", inputs: [], outputs: ["in0"]),
            NCNNLayer(type: "Slice", name: "split_0", inputs: ["in0"], outputs: ["1", "2"],
                      params: [(1, .int(0)), (0, .ints([16, 16]))]),
            NCNNLayer(type: "Convolution", name: "conv_0", inputs: ["1"], outputs: ["3"],
                      params: [(0, .int(1)), (11, .int(1)), (1, .int(1)), (5, .int(1)), (6, .int(3))],
                      weights: [.tagged([1, 2, 3], half: true), .raw([0.5])]),
            NCNNLayer(type: "BinaryOp", name: "div_0", inputs: ["3"], outputs: ["out0"],
                      params: [(0, .int(3)), (1, .int(1)), (2, .float(2))]),
        ]
        XCTAssertEqual(model.paramText, """
            7767517
            4 5
            Input                    in0                      0 1 in0
            Slice                    split_0                  1 2 in0 1 2 -23300=2,16,16 1=0
            Convolution              conv_0                   1 1 1 3 0=1 1=1 11=1 5=1 6=3
            BinaryOp                 div_0                    1 1 3 out0 0=3 1=1 2=2.0

            """)
        XCTAssertEqual(model.binBytes, [0x47, 0x6B, 0x30, 0x01, 0x00, 0x3C, 0x00, 0x40, 0x00, 0x42, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x3F])
        // Shared blobs get a Split right after their producer; blobs are numbered in production order.
        let shared = NCNNSplitInsertion.finish(NCNNModel(layers: [
            NCNNLayer(type: "Input", name: "in0", inputs: [], outputs: ["in0"]),
            NCNNLayer(type: "Swish", name: "silu_0", inputs: ["in0"], outputs: ["a"]),
            NCNNLayer(type: "Sigmoid", name: "sigmoid_0", inputs: ["a"], outputs: ["b"]),
            NCNNLayer(type: "BinaryOp", name: "mul_0", inputs: ["a", "b"], outputs: ["c"], params: [(0, .int(2))]),
        ]), output: "c", as: "out0", input: "in0")
        XCTAssertEqual(shared.layers.map(\.type), ["Input", "Swish", "Split", "Sigmoid", "BinaryOp"])
        XCTAssertEqual(shared.layers[2].inputs, ["1"])
        XCTAssertEqual(shared.layers[2].outputs, ["2", "3"])
        XCTAssertEqual(shared.layers[3].inputs, ["2"])
        XCTAssertEqual(shared.layers[4].inputs, ["3", "4"])
        XCTAssertEqual(shared.layers[4].outputs, ["out0"])
        XCTAssertEqual(NCNNConverter.permuteOrder([1, 0, 2]), 2)
        XCTAssertEqual(NCNNConverter.permuteOrder([0, 1, 2]), 0)
        XCTAssertEqual(NCNNConverter.permuteOrder([2, 1, 0]), 5)
    }
}
