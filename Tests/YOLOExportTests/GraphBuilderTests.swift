import XCTest
import YOLOTestSupport
@testable import YOLOExport

final class GraphBuilderTests: XCTestCase {
    func testTorchStyleNames() {
        let b = GraphBuilder()
        let x = b.addInput("images", .float32, [.fixed(1), .fixed(3), .fixed(8), .fixed(8)])
        let y = b.withScope("model.0") { b.withScope("act") { b.node(GraphOp.sigmoid, [x]) } }
        let z = b.withScope("model.0") { b.withScope("act") { b.node(GraphOp.sigmoid, [y]) } }
        b.addOutput(z, as: "output0")
        XCTAssertEqual(b.graph.nodes.map(\.name), ["/model.0/act/Sigmoid", "/model.0/act/Sigmoid_1"])
        XCTAssertEqual(y, "/model.0/act/Sigmoid_output_0")
        XCTAssertEqual(b.graph.nodes[1].outputs, ["output0"])
    }
}
