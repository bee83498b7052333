/// Merges constants with identical type, shape and values into the first of them (onnxslim does the same; a
/// random-init model's all-zero biases collapse this way).
public struct ConstantDeduplication: GraphPass {
    public let name = "constant deduplication"
    public init() {}

    public func run(_ graph: inout ExportGraph) throws -> Bool {
        var candidates: [Key: [Int]] = [:]
        var replacement: [String: String] = [:]
        for (i, c) in graph.constants.enumerated() {
            let key = Key(c)
            if let j = candidates[key]?.first(where: { graph.constants[$0].data == c.data }) {
                replacement[c.name] = graph.constants[j].name
            } else {
                candidates[key, default: []].append(i)
            }
        }
        guard !replacement.isEmpty else { return false }
        for i in graph.nodes.indices where graph.nodes[i].inputs.contains(where: { replacement[$0] != nil }) {
            graph.nodes[i].inputs = graph.nodes[i].inputs.map { replacement[$0] ?? $0 }
        }
        graph.constants.removeAll { replacement[$0.name] != nil }
        return true
    }

    /// Type, shape and a sample of the bytes: cheap to hash; equal keys are compared in full.
    private struct Key: Hashable {
        let shape: [Int]
        let dtype: GraphDType
        let sample: [UInt8]
        init(_ c: GraphConstant) {
            shape = c.shape
            dtype = c.dtype
            let bytes = c.count <= 16 ? c.littleEndianBytes : GraphConstant(name: "", shape: [2], data: c.endpoints).littleEndianBytes
            sample = bytes
        }
    }
}

private extension GraphConstant {
    /// The first and last element (for hashing large constants cheaply).
    var endpoints: GraphTensorData {
        switch data {
        case .float32(let v): return .float32([v.first!, v.last!])
        case .float16(let v): return .float16([v.first!, v.last!])
        case .int64(let v): return .int64([v.first!, v.last!])
        case .int32(let v): return .int32([v.first!, v.last!])
        case .int8(let v): return .int8([v.first!, v.last!])
        case .uint8(let v): return .uint8([v.first!, v.last!])
        case .bool(let v): return .bool([v.first!, v.last!])
        }
    }
}
