import YOLOTensor

/// What a kernel sees when it evaluates one node: the node, its input values (nil for an omitted optional input),
/// the model's opset, which outputs anything reads, and the prepared convolution for Conv nodes.
struct KernelContext {
    let node: ONNXNode
    let inputs: [ONNXValue?]
    let opset: Int
    /// Outputs some later node or the graph output reads; kernels may skip the others (return any value).
    var needed: [Bool]
    /// Weights and primitive cache of a Conv node.
    var conv: ConvPlan?

    /// Input `i`, which must be present.
    func input(_ i: Int) throws -> ONNXValue {
        guard i < inputs.count, let v = inputs[i] else { throw kernelError("input \(i) is missing") }
        return v
    }

    /// Optional input `i`.
    func optional(_ i: Int) -> ONNXValue? { i < inputs.count ? inputs[i] : nil }

    /// Integer list from optional input `i`, else the attribute `key` (ops whose arguments moved from attributes to
    /// inputs across opsets: Split, Squeeze, Unsqueeze, ReduceMax, Slice, Pad).
    func intList(input i: Int, attribute key: String) throws -> [Int]? {
        if let v = optional(i) { return try v.ints() }
        return node.ints(key)
    }
}

/// A kernel evaluates one node.
typealias Kernel = (KernelContext) throws -> [ONNXValue]

/// Convolution weights in OIHW with their attributes and the node's oneDNN primitive cache, prepared at load.
final class ConvPlan {
    let weight: Tensor
    let bias: Tensor?
    let stride: (Int, Int)
    let padding: (Int, Int)
    let dilation: (Int, Int)
    let groups: Int
    let cache = ConvCache()

    init(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    var outChannels: Int { weight.shape[0] }
    var kernel: (Int, Int) { (weight.shape[2], weight.shape[3]) }
}
