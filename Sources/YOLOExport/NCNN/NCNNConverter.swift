/// Translates a static, batch-1 `ExportGraph` into ncnn layers (`NCNNConverter+Ops` has the per-op rules).
///
/// ncnn blobs have no batch axis: an IR tensor `[1, C, H, W]` is the ncnn blob `C×H×W` (`c, h, w`), `[1, C, A]` is
/// `h = C, w = A`, and so on; every axis-valued attribute shifts down by one. Constants read by elementwise ops
/// become `MemoryData` layers shaped to the other operand's rank (PNNX's `pnnx_fold_*`), scalar constants the
/// `BinaryOp` scalar form, conv weights go into the layer's weights. Sibling `Slice`s that tile one axis become a
/// single ncnn `Slice` (as PNNX's `chunk`/`tensor_split`), others a `Crop`. The result still has raw blob names and
/// multi-consumer blobs; `NCNNSplitInsertion` finishes it.
struct NCNNConverter {
    /// A translated tensor: its blob and ncnn shape (outermost first, batch dropped).
    struct Blob {
        var name: String
        var shape: [Int]
    }

    let graph: ExportGraph
    /// Store convolution weights as float16 (`quantize=16`).
    let halfWeights: Bool

    private(set) var layers: [NCNNLayer] = []
    private var blobs: [String: Blob] = [:]
    private var counters: [String: Int] = [:]
    private var memoryData: [String: Blob] = [:]
    /// First node of each tiling slice group → the group; later members are skipped.
    private(set) var sliceGroups: [String: NCNNSliceGroup] = [:]
    private(set) var skipped: Set<String> = []

    init(graph: ExportGraph, halfWeights: Bool) throws {
        var g = graph
        GraphShapeInference.run(&g)
        self.graph = g
        self.halfWeights = halfWeights
        (sliceGroups, skipped) = try Self.tilingSlices(g)
    }

    /// Converts the whole graph; the input blob is `in0`, the output blob `out0`.
    mutating func convert(inputName: String = "in0", outputName: String = "out0") throws -> NCNNModel {
        guard graph.inputs.count == 1, graph.outputs.count == 1 else {
            throw ExportError.unsupportedOp(format: "ncnn", op: "graph with \(graph.inputs.count) inputs and \(graph.outputs.count) outputs", node: graph.name)
        }
        let input = graph.inputs[0]
        let shape = try Self.unbatched(input.shape, input.name)
        layers.append(NCNNLayer(type: "Input", name: inputName, inputs: [], outputs: [inputName]))
        blobs[input.name] = Blob(name: inputName, shape: shape)
        for node in graph.nodes where !skipped.contains(node.name) { try translate(node) }
        let out = try blob(graph.outputs[0].name)
        return NCNNSplitInsertion.finish(NCNNModel(layers: layers), output: out.name, as: outputName, input: inputName)
    }

    // MARK: - Helpers for the op rules

    /// The blob of a produced tensor or the graph input.
    func blob(_ tensor: String) throws -> Blob {
        guard let b = blobs[tensor] else {
            throw ExportError.unsupportedOp(format: "ncnn", op: "tensor without a blob", node: tensor)
        }
        return b
    }

    /// The ncnn shape of a node output (from shape inference; must be static with batch 1).
    func shape(_ tensor: String) throws -> [Int] {
        try Self.unbatched(graph.info(of: tensor)?.shape, tensor)
    }

    /// A fresh layer name `<prefix>_<n>`.
    mutating func name(_ prefix: String) -> String {
        let n = counters[prefix, default: 0]
        counters[prefix] = n + 1
        return "\(prefix)_\(n)"
    }

    /// Appends a layer producing the node outputs `tensors` (their blobs are named after the tensors for now).
    mutating func append(_ type: String, _ prefix: String, inputs: [Blob], outputs tensors: [String],
                         params: [(Int, NCNNParam)] = [], weights: [NCNNWeight] = []) throws {
        var outs: [String] = []
        for t in tensors {
            blobs[t] = Blob(name: t, shape: try shape(t))
            outs.append(t)
        }
        layers.append(NCNNLayer(type: type, name: name(prefix), inputs: inputs.map(\.name), outputs: outs,
                                params: params.map { (id: $0.0, value: $0.1) }, weights: weights))
    }

    /// Makes `tensor` another name for `blob` (Identity).
    mutating func alias(_ tensor: String, _ blob: Blob) { blobs[tensor] = blob }

    /// `constant` as a blob shaped `shape` (ncnn dims, rank 1…4): one `MemoryData` layer per constant in its own
    /// shape without leading 1s (as PNNX folds it), plus a `Reshape` per other shape it is read in.
    mutating func memoryData(_ constant: GraphConstant, shape: [Int]) throws -> Blob {
        let key = constant.name + "|" + shape.map(String.init).joined(separator: ",")
        if let b = memoryData[key] { return b }
        var natural = Array(constant.shape.drop { $0 == 1 })
        if natural.isEmpty { natural = [1] }
        guard let values = constant.floatValues, (1...4).contains(shape.count), natural.count <= 4,
              natural.reduce(1, *) == shape.reduce(1, *) else {
            throw ExportError.unsupportedOp(format: "ncnn", op: "constant \(constant.dtype) \(constant.shape) read as \(shape)", node: constant.name)
        }
        let baseKey = constant.name + "|"
        let base: Blob
        if let b = memoryData[baseKey] {
            base = b
        } else {
            base = Blob(name: "memorydata:" + constant.name, shape: natural)
            layers.append(NCNNLayer(type: "MemoryData", name: name("pnnx_fold"), inputs: [], outputs: [base.name],
                                    params: Self.shapeParams(natural).map { (id: $0.0, value: $0.1) }, weights: [.raw(values)]))
            memoryData[baseKey] = base
        }
        guard natural != shape else { return base }
        let b = Blob(name: "memorydata:" + key, shape: shape)
        layers.append(NCNNLayer(type: "Reshape", name: name("reshape"), inputs: [base.name], outputs: [b.name],
                                params: Self.shapeParams(shape).map { (id: $0.0, value: $0.1) }))
        memoryData[key] = b
        return b
    }

    /// ncnn's shape parameters: `0=w 1=h 11=d 2=c` for shapes outermost first.
    static func shapeParams(_ shape: [Int]) -> [(Int, NCNNParam)] {
        let ids: [Int]
        switch shape.count {
        case 1: ids = [0]
        case 2: ids = [1, 0]
        case 3: ids = [2, 1, 0]
        default: ids = [2, 11, 1, 0]
        }
        return zip(ids, shape).map { ($0, .int($1)) }
    }

    /// An IR shape without its batch axis; the batch must be 1 and every size fixed.
    static func unbatched(_ shape: [GraphDim]?, _ tensor: String) throws -> [Int] {
        guard let s = shape?.fixedValues, let batch = s.first, batch == 1, (2...5).contains(s.count) else {
            throw ExportError.unsupportedOp(format: "ncnn", op: "tensor shaped \(shape.map { "\($0)" } ?? "?") (ncnn needs static batch-1 tensors of rank 2…5)", node: tensor)
        }
        return Array(s.dropFirst())
    }
}
