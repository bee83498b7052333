// The format-neutral export graph (IR) that every export format serialises.
//
// A network is lowered once (`YOLONetwork.exportGraph(_:)`, one lowering per layer type in `Lowering/`) into an
// `ExportGraph`: named tensors flowing between `GraphNode`s, constant tensors (`GraphConstant`: weights, anchor
// tables, shape vectors) and typed graph inputs/outputs. Format writers (ONNX here; OpenVINO IR, ncnn, … elsewhere)
// walk `nodes` in order and translate each op.
//
// Conventions (stable API — other writers rely on them):
// * Tensor names are unique strings; a tensor is produced by exactly one node, is a graph input, or is a constant.
//   `""` in a node's input list marks an omitted optional input (ONNX style).
// * `nodes` is topologically sorted (every input is defined before it is used).
// * Layout is NCHW (batch, channels, height, width) as in PyTorch/ONNX; conv weights are OIHW.
// * Ops use ONNX operator semantics in their opset-18 form (see `GraphOp`): Split sizes, Resize scales, Slice bounds,
//   Reshape shapes and ReduceMax axes are *inputs* (constants), not attributes. Writers for older ONNX opsets or
//   other formats convert (see `ONNXOpsetLegalization`).
// * `valueInfo` holds inferred dtype/shape of intermediate tensors once `GraphShapeInference.run` has run (every
//   writer that needs per-tensor shapes should call it, it is cheap). Symbolic dims (`GraphDim.symbolic`) appear only
//   in dynamic exports.
// * Names follow the reference's torch naming where it is natural (`/model.3/conv/Conv`, `model.3.conv.weight`).
//
// Passes (`GraphPass`: constant folding, identity removal, dead-node elimination, constant deduplication, FP16
// conversion) rewrite a graph in place; `GraphPassPipeline.simplify` is the "simplify=True" set.

/// Name, element type and (optional) shape of a graph input, output or intermediate tensor.
public struct GraphValueInfo: Sendable, Equatable {
    public var name: String
    public var dtype: GraphDType
    /// Dimensions outermost first; nil when unknown (e.g. data-dependent sizes before inference).
    public var shape: [GraphDim]?

    public init(name: String, dtype: GraphDType, shape: [GraphDim]?) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// A computation graph ready to be serialised by a format writer.
public struct ExportGraph: Sendable {
    /// Graph name (`main_graph`, as torch names ONNX graphs).
    public var name: String
    /// Graph inputs (`images`), in order.
    public var inputs: [GraphValueInfo]
    /// Graph outputs (`output0`), in order.
    public var outputs: [GraphValueInfo]
    /// Operations in topological order.
    public var nodes: [GraphNode]
    /// Constant tensors (weights and other initializers), in creation order.
    public var constants: [GraphConstant]
    /// Inferred types of intermediate tensors, by name (filled by `GraphShapeInference`).
    public var valueInfo: [String: GraphValueInfo]

    public init(name: String = "main_graph", inputs: [GraphValueInfo] = [], outputs: [GraphValueInfo] = [],
                nodes: [GraphNode] = [], constants: [GraphConstant] = [], valueInfo: [String: GraphValueInfo] = [:]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.constants = constants
        self.valueInfo = valueInfo
    }

    /// The constant named `name`, if any.
    public func constant(named name: String) -> GraphConstant? {
        constants.first { $0.name == name }
    }

    /// Constants by name.
    public var constantsByName: [String: GraphConstant] {
        Dictionary(constants.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Index in `nodes` of the node producing each tensor.
    public var producers: [String: Int] {
        var out: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { out[o] = i } }
        return out
    }

    /// Indices of the nodes reading each tensor (a node reading a tensor twice is listed twice).
    public var consumers: [String: [Int]] {
        var out: [String: [Int]] = [:]
        for (i, n) in nodes.enumerated() { for t in n.inputs where !t.isEmpty { out[t, default: []].append(i) } }
        return out
    }

    /// Node count per op type.
    public var opHistogram: [String: Int] {
        nodes.reduce(into: [:]) { $0[$1.op, default: 0] += 1 }
    }

    /// Type and shape of any tensor: a graph input/output, a constant or an inferred intermediate.
    public func info(of tensor: String) -> GraphValueInfo? {
        if let i = inputs.first(where: { $0.name == tensor }) { return i }
        if let c = constant(named: tensor) { return GraphValueInfo(name: c.name, dtype: c.dtype, shape: c.shape.map(GraphDim.fixed)) }
        if let v = valueInfo[tensor] { return v }
        return outputs.first { $0.name == tensor }
    }

    /// Total bytes of constant data.
    public var constantBytes: Int { constants.reduce(0) { $0 + $1.byteCount } }
}
