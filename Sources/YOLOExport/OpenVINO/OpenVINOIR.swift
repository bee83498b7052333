// The OpenVINO IR (version 11) document model: layers with typed ports, edges between ports, and the model-level
// `rt_info`. `OpenVINOIRBuilder` fills it from an `ExportGraph`; `OpenVINOIR+XML` writes it as `<stem>.xml`, whose
// `Const` layers point into `<stem>.bin` (`OpenVINOWeights`).
//
// IR v11 conventions used here (as OpenVINO's own serializer writes them):
// * a layer has `id`, `name`, `type` (the op) and `version` (the opset that defines it: `opset1`, `opset4`, …);
// * its `<data>` element holds the op attributes as strings (int lists joined by ", ");
// * input ports are numbered 0…n−1 and output ports continue n…n+m−1; each port carries its element precision
//   (`FP32`, `I64`, …) and its dims (−1 for a dynamic dim); output ports may carry tensor names;
// * `<edges>` connect (from-layer, from-port) → (to-layer, to-port).

/// One port of a layer: element type, dims (−1 = dynamic) and tensor names.
struct OpenVINOPort: Equatable {
    var id: Int
    var dtype: GraphDType
    /// Dims outermost first, −1 for a dynamic size; nil when even the rank is unknown.
    var dims: [Int]?
    /// Tensor names (output ports only), written comma-separated.
    var names: [String] = []
}

/// One layer (an op instance).
struct OpenVINOLayer: Equatable {
    var id: Int
    var name: String
    var type: String
    var version: String
    /// Op attributes in writing order.
    var data: [(key: String, value: String)]
    /// Names of `<rt_info>` attributes (version 0), e.g. `decompression` on FP16 weight converts.
    var runtimeAttributes: [String] = []
    var inputs: [OpenVINOPort] = []
    var outputs: [OpenVINOPort] = []

    static func == (a: OpenVINOLayer, b: OpenVINOLayer) -> Bool {
        a.id == b.id && a.name == b.name && a.type == b.type && a.version == b.version
            && a.data.map(\.key) == b.data.map(\.key) && a.data.map(\.value) == b.data.map(\.value)
            && a.runtimeAttributes == b.runtimeAttributes && a.inputs == b.inputs && a.outputs == b.outputs
    }
}

/// A connection from an output port to an input port.
struct OpenVINOEdge: Equatable {
    var fromLayer: Int
    var fromPort: Int
    var toLayer: Int
    var toPort: Int
}

/// A whole IR document.
struct OpenVINOModel: Equatable {
    /// `<net name=…>`; OpenVINO names converted models `Model0`, `Model1`, ….
    var name = "Model0"
    var layers: [OpenVINOLayer] = []
    var edges: [OpenVINOEdge] = []
    /// `<rt_info><model_info>` entries (sorted by key when written, as OpenVINO does).
    var modelInfo: [(key: String, value: String)] = []

    static func == (a: OpenVINOModel, b: OpenVINOModel) -> Bool {
        a.name == b.name && a.layers == b.layers && a.edges == b.edges
            && a.modelInfo.map(\.key) == b.modelInfo.map(\.key) && a.modelInfo.map(\.value) == b.modelInfo.map(\.value)
    }

    /// Layer count per op type.
    var opHistogram: [String: Int] {
        layers.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    }
}

extension GraphDType {
    /// OpenVINO `element_type` spelling (`f32`, `i64`, `boolean`).
    var openVINOElementType: String {
        switch self {
        case .float32: return "f32"
        case .float16: return "f16"
        case .int64: return "i64"
        case .int32: return "i32"
        case .int8: return "i8"
        case .uint8: return "u8"
        case .bool: return "boolean"
        }
    }

    /// OpenVINO port `precision` spelling (`FP32`, `I64`, `BOOL`).
    var openVINOPrecision: String {
        switch self {
        case .float32: return "FP32"
        case .float16: return "FP16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .int8: return "I8"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }
}
