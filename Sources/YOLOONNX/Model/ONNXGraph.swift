/// An attribute of a graph node, decoded from its protobuf form.
enum ONNXAttribute {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    case tensor(ONNXValue)
    /// Graph-valued attributes (If/Loop bodies) are not evaluated.
    case unsupported(String)
}

/// One operation of the graph: ONNX op type and domain, input/output tensor names (`""` = omitted optional input)
/// and attributes.
struct ONNXNode {
    var name: String
    var op: String
    var domain: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [String: ONNXAttribute]

    func int(_ key: String) -> Int? {
        if case .int(let v)? = attributes[key] { return v }
        return nil
    }

    func int(_ key: String, default value: Int) -> Int { int(key) ?? value }

    func ints(_ key: String) -> [Int]? {
        if case .ints(let v)? = attributes[key] { return v }
        return nil
    }

    func float(_ key: String) -> Float? {
        if case .float(let v)? = attributes[key] { return v }
        return nil
    }

    func string(_ key: String) -> String? {
        if case .string(let v)? = attributes[key] { return v }
        return nil
    }

    func tensor(_ key: String) -> ONNXValue? {
        if case .tensor(let v)? = attributes[key] { return v }
        return nil
    }

    /// A readable name for messages (the op and output when the node is unnamed).
    var label: String { name.isEmpty ? "\(op) → \(outputs.first ?? "?")" : name }
}

/// Name, element type code (ONNX `TensorProto.DataType`) and dimensions of a graph input or output; a dimension is
/// nil when symbolic (`batch`, `height`, …) or unknown.
struct ONNXTensorInfo {
    var name: String
    var elementType: Int
    var dims: [Int?]
    var symbols: [String?]
}

/// The main graph of an ONNX model: nodes in file order (ONNX requires topological order), initializers by name,
/// and the real inputs (initializers listed as inputs, as old exporters do, are dropped) and outputs.
struct ONNXGraph {
    var nodes: [ONNXNode]
    var initializers: [String: ONNXValue]
    var inputs: [ONNXTensorInfo]
    var outputs: [ONNXTensorInfo]
    /// Version of the default ("" / "ai.onnx") operator set.
    var opset: Int
}

extension ONNXGraph {
    /// The nodes in an order where every input is produced before it is read, keeping file order wherever it already
    /// is (ONNX requires topological order, but some writers — the FP16 converter — append nodes at the end).
    /// Nodes reading a tensor nothing produces keep their place; the program reports them.
    func topologicallySorted() -> [ONNXNode] {
        var producer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
        var done = [Bool](repeating: false, count: nodes.count)
        var onPath = [Bool](repeating: false, count: nodes.count)
        var order: [ONNXNode] = []
        order.reserveCapacity(nodes.count)
        // Depth-first over producers, iterative so long chains do not exhaust the stack.
        for root in nodes.indices where !done[root] {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            onPath[root] = true
            while let top = stack.last {
                let inputs = nodes[top.node].inputs
                if top.next < inputs.count {
                    stack[stack.count - 1].next += 1
                    if let p = producer[inputs[top.next]], !done[p], !onPath[p] {
                        onPath[p] = true
                        stack.append((p, 0))
                    }
                    continue
                }
                stack.removeLast()
                onPath[top.node] = false
                done[top.node] = true
                order.append(nodes[top.node])
            }
        }
        return order
    }
}
