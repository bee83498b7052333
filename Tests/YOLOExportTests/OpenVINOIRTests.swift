import Foundation
import XCTest
@testable import YOLOExport

/// The IR document the OpenVINO builder writes for a small graph, without OpenVINO: layers, ports, edges, weights
/// offsets, FP16 decompression, output naming.
final class OpenVINOIRTests: XCTestCase {
    /// `x.1 [1, 2, 4, 4]` → Conv 1×1 (2→2, bias) → SiLU → Resize ×2 → output.
    func graph() -> ExportGraph {
        var g = ExportGraph()
        g.inputs = [GraphValueInfo(name: "x.1", dtype: .float32, shape: [.fixed(1), .fixed(2), .fixed(4), .fixed(4)])]
        g.constants = [
            GraphConstant(name: "w", shape: [2, 2, 1, 1], floats: [1, 2, 3, 4]),
            GraphConstant(name: "b", shape: [2], floats: [0.5, -0.5]),
            GraphConstant(name: "scales", shape: [4], floats: [1, 1, 2, 2]),
        ]
        g.nodes = [
            GraphNode(name: "/conv/Conv", op: GraphOp.conv, inputs: ["x.1", "w", "b"], outputs: ["c"], attributes: [
                "dilations": .ints([1, 1]), "group": .int(1), "kernel_shape": .ints([1, 1]), "pads": .ints([0, 0, 0, 0]),
                "strides": .ints([1, 1]),
            ]),
            GraphNode(name: "/act/SiLU", op: GraphOp.silu, domain: GraphOp.extensionDomain, inputs: ["c"], outputs: ["s"]),
            GraphNode(name: "/up/Resize", op: GraphOp.resize, inputs: ["s", "", "scales"], outputs: ["y"], attributes: [
                "mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                "nearest_mode": .string("floor"), "cubic_coeff_a": .float(-0.75),
            ]),
        ]
        g.outputs = [GraphValueInfo(name: "y", dtype: .float32, shape: nil)]
        return g
    }

    func testFP32Document() throws {
        var b = OpenVINOIRBuilder(graph: graph(), compressWeights: false)
        let (model, weights) = try b.build()
        XCTAssertEqual(model.layers.map(\.type), ["Parameter", "Const", "Convolution", "Const", "Add", "Swish", "Const",
                                                  "Const", "Interpolate", "Result"])
        XCTAssertEqual(model.layers[0].data.map(\.value), ["1,2,4,4", "f32"])
        XCTAssertEqual(model.layers[0].outputs[0].names, ["x.1"])
        // Weights: w (16 B), bias as [1, 2, 1, 1] (8 B), scales [2, 2] (8 B), axes [2, 3] (16 B).
        XCTAssertEqual(weights.count, 16 + 8 + 8 + 16)
        XCTAssertEqual(model.layers[3].data.map(\.value), ["f32", "1, 2, 1, 1", "16", "8"])
        XCTAssertEqual(model.layers[2].data.map(\.key), ["strides", "dilations", "pads_begin", "pads_end", "auto_pad"])
        XCTAssertEqual(model.layers[5].version, "opset4")
        XCTAssertEqual(model.layers[8].outputs[0].dims, [1, 2, 8, 8])
        XCTAssertEqual(model.layers[8].outputs[0].names, [], "the graph output is unnamed, as the reference's")
        XCTAssertEqual(model.edges.count, 9)
        XCTAssertTrue(model.edges.contains(OpenVINOEdge(fromLayer: 8, fromPort: 3, toLayer: 9, toPort: 0)))
        let xml = model.xml
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\"?>\n<net name=\"Model0\" version=\"11\">\n"), xml)
        XCTAssertTrue(xml.contains("\t\t<layer id=\"5\" name=\"/act/SiLU\" type=\"Swish\" version=\"opset4\">\n"), xml)
        XCTAssertTrue(xml.contains("<edge from-layer=\"0\" from-port=\"0\" to-layer=\"2\" to-port=\"0\" />"), xml)
    }

    func testFP16WeightsAreDecompressed() throws {
        var b = OpenVINOIRBuilder(graph: graph(), compressWeights: true)
        let (model, weights) = try b.build()
        let converts = model.layers.filter { $0.type == "Convert" }
        XCTAssertEqual(converts.count, 2, "weight and bias")
        XCTAssertTrue(converts.allSatisfy { $0.runtimeAttributes == ["decompression"] && $0.outputs[0].dtype == .float32 })
        XCTAssertEqual(model.layers.first { $0.name == "w_compressed" }?.data.first?.value, "f16")
        XCTAssertEqual(model.layers.first { $0.name == "/up/Resize/scales" }?.data.first?.value, "f32", "scales stay f32")
        XCTAssertEqual(weights.count, 8 + 4 + 8 + 16)
        XCTAssertTrue(model.xml.contains("\t\t\t<rt_info>\n\t\t\t\t<attribute name=\"decompression\" version=\"0\" />\n"))
    }
}
