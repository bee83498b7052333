/// Why an ONNX file cannot be used. Every message is one line and names the file.
public enum ONNXReadError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The bytes are not a valid ONNX protobuf (e.g. a truncated download).
    case malformed(file: String, reason: String)
    /// A valid ONNX model, but not a YOLO export this build can run (no graph, wrong inputs/outputs or metadata).
    case notYOLO(file: String, reason: String)
    /// A node uses an operator this evaluator does not implement.
    case unsupportedOp(file: String, op: String, node: String)
    /// A supported operator with an attribute value or input form that is not implemented.
    case unsupportedNode(file: String, op: String, node: String, reason: String)
    /// A node reads a tensor nothing produces.
    case missingTensor(file: String, tensor: String, node: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read the ONNX file (\(r))"
        case .malformed(let f, let r): return "\(f): not a valid ONNX model (\(r))"
        case .notYOLO(let f, let r): return "\(f): not an Ultralytics YOLO ONNX export (\(r))"
        case .unsupportedOp(let f, let op, let node):
            return "\(f): unsupported ONNX op '\(op)' (node '\(node)'); this evaluator runs FP32 YOLO exports"
        case .unsupportedNode(let f, let op, let node, let r): return "\(f): unsupported \(op) in node '\(node)': \(r)"
        case .missingTensor(let f, let t, let node): return "\(f): node '\(node)' reads tensor '\(t)', which no node produces"
        }
    }
}

/// A failure while evaluating a graph (a shape the graph cannot take, an index out of range). Names the file,
/// the node and its op.
public struct ONNXRuntimeError: Error, CustomStringConvertible {
    public var file: String
    public var node: String
    public var op: String
    public var message: String

    public init(file: String = "", node: String = "", op: String = "", message: String) {
        self.file = file
        self.node = node
        self.op = op
        self.message = message
    }

    public var description: String {
        "\(file.isEmpty ? "ONNX" : file): \(op) node '\(node)' failed: \(message)"
    }
}

/// Thrown by kernels; the executor adds file and node.
func kernelError(_ message: String) -> ONNXRuntimeError { ONNXRuntimeError(message: message) }
