/// Translates an `ExportGraph` (ONNX-opset-18 semantics, NCHW) into an OpenVINO IR v11 document and its weights.
///
/// Graph inputs become `Parameter` layers, constants `Const` layers (created where first used; with
/// `compressWeights` float constants are stored as f16 and widened by a `Convert` carrying the `decompression`
/// runtime attribute, as OpenVINO's `compress_to_fp16` stores them), each node one or a few layers of the opset that
/// defines its semantics (`OpenVINOIRBuilder+Ops`), and every graph output a `Result`. Port dims come from
/// `GraphShapeInference` (−1 where symbolic).
struct OpenVINOIRBuilder {
    /// A value in the IR: an output port of a layer, with its element type and dims.
    struct Ref {
        var layer: Int
        var port: Int
        var dtype: GraphDType
        var dims: [Int]?
    }

    let graph: ExportGraph
    /// Store float weights as f16 (`quantize=16`).
    let compressWeights: Bool
    /// Put the graph outputs' tensor names on their ports (the reference's torch-converted IR has none).
    var nameOutputs = false

    private(set) var model = OpenVINOModel()
    private(set) var weights = OpenVINOWeights()
    private var values: [String: Ref] = [:]
    private var constantRefs: [String: Ref] = [:]
    /// Constants that stay f32 when compressing (upsample scales, NMS thresholds).
    private var keepFloat32: Set<String> = []

    init(graph: ExportGraph, compressWeights: Bool) {
        var g = graph
        GraphShapeInference.run(&g)
        self.graph = g
        self.compressWeights = compressWeights
        let slots: [String: [Int]] = [GraphOp.resize: [1, 2], GraphOp.nonMaxSuppression: [3, 4]]
        for n in g.nodes {
            for s in slots[n.op] ?? [] where s < n.inputs.count { keepFloat32.insert(n.inputs[s]) }
        }
    }

    /// Builds the document (inputs, every node in order, outputs).
    ///
    /// - Throws: `ExportError.unsupportedOp` for an op without a translation.
    mutating func build() throws -> (model: OpenVINOModel, weights: [UInt8]) {
        for input in graph.inputs {
            let dims = Self.dims(input.shape)
            let shape = dims.map { $0.map { $0 < 0 ? "?" : String($0) }.joined(separator: ",") } ?? "..."
            let refs = layer(input.name, "Parameter", "opset1",
                             [("shape", shape), ("element_type", input.dtype.openVINOElementType)],
                             inputs: [], outputs: [(input.dtype, dims, [input.name])])
            values[input.name] = refs[0]
        }
        for node in graph.nodes { try translate(node) }
        for output in graph.outputs {
            let v = try value(output.name)
            if nameOutputs {
                model.layers[v.layer].outputs[v.port - model.layers[v.layer].inputs.count].names = [output.name]
            } else {
                stripNames(v)
            }
            _ = layer("Result_\(output.name)", "Result", "opset1", inputs: [v], outputs: [])
        }
        return (model, weights.bytes)
    }

    // MARK: - Layers and values

    /// Appends a layer reading `inputs` (edges added) with the given output ports; returns the output refs.
    @discardableResult
    mutating func layer(_ name: String, _ type: String, _ version: String, _ data: [(String, String)] = [],
                        inputs: [Ref], outputs: [(GraphDType, [Int]?, [String])],
                        runtimeAttributes: [String] = []) -> [Ref] {
        let id = model.layers.count
        var l = OpenVINOLayer(id: id, name: name, type: type, version: version,
                              data: data.map { (key: $0.0, value: $0.1) }, runtimeAttributes: runtimeAttributes)
        for (k, r) in inputs.enumerated() {
            l.inputs.append(OpenVINOPort(id: k, dtype: r.dtype, dims: r.dims))
            model.edges.append(OpenVINOEdge(fromLayer: r.layer, fromPort: r.port, toLayer: id, toPort: k))
        }
        var refs: [Ref] = []
        for (k, o) in outputs.enumerated() {
            let port = inputs.count + k
            l.outputs.append(OpenVINOPort(id: port, dtype: o.0, dims: o.1, names: o.2.map(Self.portName)))
            refs.append(Ref(layer: id, port: port, dtype: o.0, dims: o.1))
        }
        model.layers.append(l)
        return refs
    }

    /// A `Const` layer holding `bytes` (stored in the weights file).
    mutating func constant(_ name: String, _ dtype: GraphDType, _ shape: [Int], _ bytes: [UInt8],
                           names: [String] = []) -> Ref {
        let slot = weights.store(bytes)
        return layer(name, "Const", "opset1", [
            ("element_type", dtype.openVINOElementType), ("shape", shape.map(String.init).joined(separator: ", ")),
            ("offset", String(slot.offset)), ("size", String(slot.size)),
        ], inputs: [], outputs: [(dtype, shape, names)])[0]
    }

    /// An i64 constant (`scalar` gives shape `[]`).
    mutating func int64s(_ name: String, _ values: [Int], scalar: Bool = false) -> Ref {
        let c = GraphConstant(name: name, shape: scalar ? [] : [values.count], int64s: values.map(Int64.init))
        return constant(name, .int64, c.shape, c.littleEndianBytes)
    }

    /// An f32 constant.
    mutating func floats(_ name: String, _ values: [Float], shape: [Int]? = nil) -> Ref {
        let c = GraphConstant(name: name, shape: shape ?? [values.count], floats: values)
        return constant(name, .float32, c.shape, c.littleEndianBytes)
    }

    /// The IR value of graph tensor `tensor`: a translated node's output, a graph input or a constant.
    mutating func value(_ tensor: String) throws -> Ref {
        if let v = values[tensor] { return v }
        if let c = graph.constant(named: tensor) { return constantRef(c) }
        throw ExportError.unsupportedOp(format: "openvino", op: "tensor", node: tensor)
    }

    /// A graph constant as a `Const` (f16 + decompression `Convert` when compressing float weights), optionally
    /// with another shape of the same element count (conv bias `[1, C, 1, 1]`, group conv weights).
    mutating func constantRef(_ c: GraphConstant, shape: [Int]? = nil) -> Ref {
        let shape = shape ?? c.shape
        let key = c.name + "|" + shape.map(String.init).joined(separator: ",")
        if let r = constantRefs[key] { return r }
        let name = shape == c.shape ? c.name : c.name + "/reshaped"
        let r: Ref
        if compressWeights && c.dtype == .float32 && !keepFloat32.contains(c.name) {
            let half = c.convertedToFloat16()
            let stored = constant(name + "_compressed", .float16, shape, half.littleEndianBytes, names: [c.name])
            r = layer(name, "Convert", "opset1", [("destination_type", "f32")], inputs: [stored],
                      outputs: [(.float32, shape, [])], runtimeAttributes: ["decompression"])[0]
        } else {
            r = constant(name, c.dtype, shape, c.littleEndianBytes, names: shape == c.shape ? [c.name] : [])
        }
        constantRefs[key] = r
        return r
    }

    /// Binds a node output tensor to an IR value.
    mutating func bind(_ tensor: String, _ ref: Ref) { values[tensor] = ref }

    /// Type and IR dims of a node output tensor.
    func outputInfo(_ tensor: String) -> (GraphDType, [Int]?) {
        guard let info = graph.info(of: tensor) else { return (.float32, nil) }
        return (info.dtype, Self.dims(info.shape))
    }

    /// Graph dims as IR dims (−1 for symbolic).
    static func dims(_ shape: [GraphDim]?) -> [Int]? {
        shape?.map { $0.value ?? -1 }
    }

    /// Tensor names are written comma-separated; a comma inside a name is replaced.
    static func portName(_ s: String) -> String { s.replacingOccurrences(of: ",", with: "_") }

    private mutating func stripNames(_ r: Ref) {
        let k = r.port - model.layers[r.layer].inputs.count
        model.layers[r.layer].outputs[k].names = []
    }
}
