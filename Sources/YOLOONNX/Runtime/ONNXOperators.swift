/// The operator table: every op the evaluator runs, its kernel, and how its outputs depend on its inputs (which
/// decides what can be computed once per input shape and cached).
enum ONNXOperators {
    /// Kernels by op type (default domain).
    static let kernels: [String: Kernel] = {
        var k: [String: Kernel] = [:]
        for op in ["Add", "Sub", "Mul", "Div", "Min", "Max", "Pow", "Mod"] { k[op] = ElementwiseKernels.binary }
        for op in ["Greater", "Less", "Equal", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor"] { k[op] = ElementwiseKernels.compare }
        for op in ["Sigmoid", "Relu", "Neg", "Abs", "Exp", "Log", "Sqrt", "Tanh", "Floor", "Ceil", "Reciprocal", "Round", "Not"] {
            k[op] = ElementwiseKernels.unary
        }
        k["Where"] = ElementwiseKernels.whereKernel
        k["Clip"] = ElementwiseKernels.clip
        k["Conv"] = SpatialKernels.conv
        k["MaxPool"] = SpatialKernels.maxPool
        k["Resize"] = SpatialKernels.resize
        k["Reshape"] = MovementKernels.reshape
        k["Flatten"] = MovementKernels.flatten
        k["Squeeze"] = MovementKernels.squeeze
        k["Unsqueeze"] = MovementKernels.unsqueeze
        k["Identity"] = MovementKernels.identity
        k["Transpose"] = MovementKernels.transpose
        k["Concat"] = MovementKernels.concat
        k["Split"] = MovementKernels.split
        k["Slice"] = MovementKernels.sliceKernel
        k["Gather"] = MovementKernels.gather
        k["Expand"] = MovementKernels.expand
        k["Tile"] = MovementKernels.tile
        k["Pad"] = MovementKernels.pad
        k["Shape"] = ShapeKernels.shape
        k["Size"] = ShapeKernels.size
        k["Constant"] = ShapeKernels.constant
        k["ConstantOfShape"] = ShapeKernels.constantOfShape
        k["Range"] = ShapeKernels.range
        k["Cast"] = ShapeKernels.cast
        k["Softmax"] = ReduceKernels.softmax
        for op in ["ReduceMax", "ReduceMin", "ReduceSum", "ReduceMean"] { k[op] = ReduceKernels.reduce }
        k["ArgMax"] = ReduceKernels.argExtreme
        k["ArgMin"] = ReduceKernels.argExtreme
        k["NonZero"] = DetectionKernels.nonZero
        k["GatherND"] = DetectionKernels.gatherND
        k["ScatterND"] = DetectionKernels.scatterND
        k["NonMaxSuppression"] = DetectionKernels.nonMaxSuppression
        return k
    }()

    /// The kernel for `node`, or nil when the op (or its domain) is not supported.
    static func kernel(for node: ONNXNode) -> Kernel? {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { return nil }
        return kernels[node.op]
    }

    /// Inputs whose *values* set the output shape (the others contribute only their shapes).
    static func shapeArguments(_ op: String) -> Set<Int> {
        switch op {
        case "Reshape", "Expand", "Split", "Squeeze", "Unsqueeze", "Tile", "ReduceMax", "ReduceMin", "ReduceSum",
             "ReduceMean": return [1]
        case "Slice": return [1, 2, 3, 4]
        case "Resize": return [1, 2, 3]
        case "Pad": return [1, 3]
        case "ConstantOfShape": return [0]
        case "Range": return [0, 1, 2]
        default: return []
        }
    }

    /// Ops whose output shape depends on input values in a way no shape argument describes.
    static let dataDependentShape: Set<String> = ["NonZero", "NonMaxSuppression"]

    /// Whether an output's values and shape depend on the graph input's values, given the same for the inputs.
    /// `Shape`/`Size` read only shapes, so their outputs depend on values only when the input's shape does.
    static func dependence(op: String, inputs: [(value: Bool, shape: Bool)]) -> (value: Bool, shape: Bool) {
        if op == "Shape" || op == "Size" { return (inputs.first?.shape ?? false, false) }
        let anyValue = inputs.contains { $0.value }
        var shape = inputs.contains { $0.shape }
        for i in shapeArguments(op) where i < inputs.count && inputs[i].value { shape = true }
        if dataDependentShape.contains(op) && anyValue { shape = true }
        return (anyValue, shape)
    }
}
