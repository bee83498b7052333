/// Builds an `ExportGraph` node by node, naming things the way torch's ONNX exporter does: nodes
/// `/<scope>/<Op>[_k]`, their outputs `<node>_output_<i>`, scoped constants `/<scope>/Constant[_k]_output_0`.
///
/// ```swift
/// let b = GraphBuilder()
/// let x = b.addInput("images", .float32, [.fixed(1), .fixed(3), .fixed(64), .fixed(64)])
/// let y = b.withScope("model.0") { b.node(GraphOp.sigmoid, [x]) }
/// b.addOutput(y, as: "output0")
/// let graph = b.graph
/// ```
public final class GraphBuilder {
    /// The graph so far.
    public private(set) var graph: ExportGraph
    private var scopes: [String] = []
    private var counters: [String: Int] = [:]
    private var constantNames: Set<String> = []

    public init(name: String = "main_graph") {
        graph = ExportGraph(name: name)
    }

    /// The current scope path (`/model.22/dfl`), `""` at the top.
    public var scope: String { scopes.isEmpty ? "" : "/" + scopes.joined(separator: "/") }

    /// Runs `body` with `component` appended to the scope path.
    public func withScope<T>(_ component: String, _ body: () throws -> T) rethrows -> T {
        scopes.append(component)
        defer { scopes.removeLast() }
        return try body()
    }

    /// A fresh node name for `op` in the current scope.
    public func uniqueName(_ op: String) -> String {
        let base = scope + "/" + op
        let k = counters[base, default: 0]
        counters[base] = k + 1
        return k == 0 ? base : "\(base)_\(k)"
    }

    /// Declares a graph input and returns its tensor name.
    @discardableResult
    public func addInput(_ name: String, _ dtype: GraphDType, _ shape: [GraphDim]) -> String {
        graph.inputs.append(GraphValueInfo(name: name, dtype: dtype, shape: shape))
        return name
    }

    /// Makes `tensor` a graph output called `name` (renaming the producing node's output), with the given
    /// type; `shape` nil leaves it to shape inference.
    public func addOutput(_ tensor: String, as name: String, dtype: GraphDType = .float32, shape: [GraphDim]? = nil) {
        if tensor != name { rename(tensor, to: name) }
        graph.outputs.append(GraphValueInfo(name: name, dtype: dtype, shape: shape))
    }

    /// Renames a tensor everywhere it is produced or read.
    public func rename(_ tensor: String, to name: String) {
        for i in graph.nodes.indices {
            graph.nodes[i].outputs = graph.nodes[i].outputs.map { $0 == tensor ? name : $0 }
            graph.nodes[i].inputs = graph.nodes[i].inputs.map { $0 == tensor ? name : $0 }
        }
    }

    /// Adds a named constant (a weight) and returns its name. Adding a name twice keeps the first.
    @discardableResult
    public func addConstant(_ constant: GraphConstant) -> String {
        if constantNames.insert(constant.name).inserted { graph.constants.append(constant) }
        return constant.name
    }

    /// A float32 constant named after the current scope (`/model.22/Constant_3_output_0`).
    public func constant(floats: [Float], shape: [Int]) -> String {
        addConstant(GraphConstant(name: uniqueName("Constant") + "_output_0", shape: shape, floats: floats))
    }

    /// An int64 constant named after the current scope.
    public func constant(int64s: [Int64], shape: [Int]? = nil) -> String {
        addConstant(GraphConstant(name: uniqueName("Constant") + "_output_0", shape: shape ?? [int64s.count],
                                  int64s: int64s))
    }

    /// An int64 vector constant from Ints.
    public func constant(ints: [Int]) -> String { constant(int64s: ints.map(Int64.init)) }

    /// Appends a node and returns its output names.
    @discardableResult
    public func add(_ op: String, _ inputs: [String], _ attributes: [String: GraphAttribute] = [:], outputs: Int = 1,
                    domain: String = "") -> [String] {
        let name = uniqueName(op)
        let outs = (0..<outputs).map { "\(name)_output_\($0)" }
        graph.nodes.append(GraphNode(name: name, op: op, domain: domain, inputs: inputs, outputs: outs,
                                     attributes: attributes))
        return outs
    }

    /// Appends a single-output node and returns its output name.
    public func node(_ op: String, _ inputs: [String], _ attributes: [String: GraphAttribute] = [:],
                     domain: String = "") -> String {
        add(op, inputs, attributes, outputs: 1, domain: domain)[0]
    }
}
