import XCTest
import YOLOTestSupport
@testable import YOLOExport

/// The pass framework on small hand-built graphs.
final class GraphPassTests: XCTestCase {
    /// input → Identity → Add(const a + const b folded) → Reshape(to own shape) → output, plus a dead branch.
    func makeGraph() -> ExportGraph {
        let b = GraphBuilder()
        let x = b.addInput("x", .float32, [.fixed(2), .fixed(3)])
        let id = b.node(GraphOp.identity, [x])
        let a = b.constant(floats: [1, 2, 3], shape: [3])
        let c = b.constant(floats: [10, 20, 30], shape: [3])
        let folded = b.node(GraphOp.add, [a, c])                       // constant: folds to [11, 22, 33]
        let y = b.node(GraphOp.add, [id, folded])
        let r = b.node(GraphOp.reshape, [y, b.constant(int64s: [2, 3])])  // no-op reshape
        _ = b.node(GraphOp.sigmoid, [x])                              // dead
        let dup1 = b.constant(floats: [0.5], shape: [])
        let dup2 = b.constant(floats: [0.5], shape: [])
        let z = b.node(GraphOp.mul, [b.node(GraphOp.mul, [r, dup1]), dup2])
        b.addOutput(z, as: "out")
        return b.graph
    }

    func testSimplifyPipeline() throws {
        var g = makeGraph()
        XCTAssertEqual(g.nodes.count, 7)
        try GraphPassPipeline.simplify.run(&g)
        XCTAssertEqual(g.nodes.map(\.op), ["Add", "Mul", "Mul"], "\(g.nodes.map(\.name))")
        // Folded constant replaced the Add of two constants.
        let add = g.nodes[0]
        XCTAssertEqual(add.inputs[0], "x")
        XCTAssertEqual(g.constant(named: add.inputs[1])?.floatValues, [11, 22, 33])
        // The two 0.5 scalars merged.
        XCTAssertEqual(g.nodes[1].inputs[1], g.nodes[2].inputs[1])
        XCTAssertEqual(g.outputs.map(\.name), ["out"])
        XCTAssertEqual(g.nodes.last?.outputs, ["out"])
        // Only constants still read remain.
        let used = Set(g.nodes.flatMap(\.inputs))
        XCTAssertTrue(g.constants.allSatisfy { used.contains($0.name) })
    }

    func testDeadNodeEliminationKeepsOutputs() throws {
        var g = makeGraph()
        XCTAssertTrue(try DeadNodeElimination().run(&g))
        XCTAssertFalse(g.nodes.contains { $0.op == GraphOp.sigmoid })
        XCTAssertFalse(try DeadNodeElimination().run(&g), "second run changes nothing")
    }

    func testFoldingShapeArithmetic() throws {
        let b = GraphBuilder()
        let x = b.addInput("x", .float32, [.fixed(1), .fixed(4), .fixed(6), .fixed(8)])
        let shape = b.node(GraphOp.shape, [x])
        let h = b.node(GraphOp.gather, [shape, b.constant(int64s: [2], shape: [])], ["axis": .int(0)])
        let w = b.node(GraphOp.gather, [shape, b.constant(int64s: [3], shape: [])], ["axis": .int(0)])
        let hw = b.node(GraphOp.mul, [h, w])
        let r = b.node(GraphOp.range, [b.constant(int64s: [0], shape: []), w, b.constant(int64s: [2], shape: [])])
        let rf = b.node(GraphOp.cast, [r], ["to": .dtype(.float32)])
        let count = b.node(GraphOp.unsqueeze, [hw, b.constant(ints: [0])])
        let fill = b.node(GraphOp.constantOfShape, [count], ["value": .tensor(GraphConstant(name: "v", shape: [1], floats: [8]))])
        let y = b.node(GraphOp.reshape, [x, b.node(GraphOp.concat, [b.constant(ints: [1, 4]), count], ["axis": .int(0)])])
        let z = b.node(GraphOp.mul, [y, fill])
        b.addOutput(z, as: "out")
        b.addOutput(rf, as: "xs")
        var g = b.graph
        try GraphPassPipeline.simplify.run(&g)
        // Everything but the data path folds; "xs" is an output, so its Cast stays (reading a folded Range).
        XCTAssertEqual(g.nodes.map(\.op).sorted(), ["Cast", "Mul", "Reshape"], "\(g.nodes.map(\.op))")
        let cast = g.nodes.first { $0.op == GraphOp.cast }!
        XCTAssertEqual(g.constant(named: cast.inputs[0])?.intValues, [0, 2, 4, 6])
        let mul = g.nodes.first { $0.op == GraphOp.mul }!
        XCTAssertEqual(g.constant(named: mul.inputs[1])?.shape, [48])
        XCTAssertEqual(g.constant(named: g.nodes.first { $0.op == GraphOp.reshape }!.inputs[1])?.intValues, [1, 4, 48])
        GraphShapeInference.run(&g)
        XCTAssertEqual(g.outputs[0].shape, [.fixed(1), .fixed(4), .fixed(48)])
    }

    func testFloat16ConversionKeepsIOAndResizeScales() throws {
        let b = GraphBuilder()
        let x = b.addInput("images", .float32, [.fixed(1), .fixed(2), .fixed(4), .fixed(4)])
        let scales = b.constant(floats: [1, 1, 2, 2], shape: [4])
        let up = b.node(GraphOp.resize, [x, "", scales], ["mode": .string("nearest")])
        let y = b.node(GraphOp.mul, [up, b.constant(floats: [3], shape: [])])
        b.addOutput(y, as: "output0")
        var g = b.graph
        XCTAssertTrue(try Float16Conversion().run(&g))
        XCTAssertEqual(g.nodes.first?.name, "graph_input_cast0")
        XCTAssertEqual(g.nodes.last?.name, "graph_output_cast0")
        XCTAssertEqual(g.nodes.last?.outputs, ["output0"])
        XCTAssertEqual(g.constant(named: scales)?.dtype, .float32, "Resize scales stay float32")
        XCTAssertEqual(g.constants.filter { $0.dtype == .float16 }.count, 1)
        XCTAssertEqual(g.inputs[0].dtype, .float32)
        XCTAssertEqual(g.outputs[0].dtype, .float32)
        XCTAssertEqual(g.valueInfo["graph_output_cast_0"]?.dtype, .float16)
    }

    func testShapeInferenceOnSymbolicDims() {
        let b = GraphBuilder()
        let x = b.addInput("x", .float32, [.symbolic("batch"), .fixed(8), .symbolic("h"), .symbolic("w")])
        let c = b.node(GraphOp.conv, [x, b.addConstant(GraphConstant(name: "w", shape: [4, 8, 1, 1],
                                                                     floats: [Float](repeating: 0, count: 32)))],
                       ["kernel_shape": .ints([1, 1]), "strides": .ints([1, 1]), "pads": .ints([0, 0, 0, 0])])
        let s = b.node(GraphOp.conv, [c, b.addConstant(GraphConstant(name: "w2", shape: [4, 4, 3, 3],
                                                                     floats: [Float](repeating: 0, count: 144)))],
                       ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])
        let r = b.node(GraphOp.reshape, [s, b.constant(int64s: [0, 4, -1])])
        b.addOutput(r, as: "out")
        var g = b.graph
        GraphShapeInference.run(&g)
        XCTAssertEqual(g.valueInfo[c]?.shape, [.symbolic("batch"), .fixed(4), .symbolic("h"), .symbolic("w")])
        let strided = g.valueInfo[s]!.shape!
        XCTAssertEqual(strided[0], .symbolic("batch"))
        XCTAssertEqual(strided[1], .fixed(4))
        XCTAssertNil(strided[2].value)
        XCTAssertEqual(g.outputs[0].shape?[0], .symbolic("batch"))
        XCTAssertEqual(g.outputs[0].shape?[1], .fixed(4))
    }
}
