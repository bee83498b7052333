/// One export format of the reference's table (spec export.md §2): its `format=` name, display name, artefact
/// suffix, allowed arguments and the `quantize` precisions it offers.
public struct ExportFormat: Sendable, Equatable {
    /// `format=` value (`onnx`).
    public let name: String
    /// Name in log lines and the "cloud" line (`ONNX`, `OpenVINO`).
    public let displayName: String
    /// Artefact name suffix after the weights' stem: `.onnx`, or `_openvino_model` for a folder.
    public let suffix: String
    /// Arguments that may differ from their defaults for this format.
    public let arguments: [String]
    /// Whether predict/val can load the artefact (the reference prints its Predict/Validate hints then).
    public let loadable: Bool

    /// Whether the artefact is a folder (`_…_model` suffix).
    public var isFolder: Bool { !suffix.contains(".") }

    /// `quantize=16` allowed.
    public var allowsFP16: Bool { Self.fp16Formats.contains(name) }
    /// `quantize=8` allowed.
    public var allowsINT8: Bool { Self.int8Formats.contains(name) }
    /// `quantize='w8a16'` allowed.
    public var allowsW8A16: Bool { ["coreml", "litert", "qnn"].contains(name) }
    /// `quantize='w8a32'` allowed.
    public var allowsW8A32: Bool { name == "litert" }
    /// FP32 (`quantize=32` or unset) allowed.
    public var allowsFP32: Bool { !Self.fp32Unsupported.contains(name) }

    /// The valid `quantize` options of this format, as the reference's error lists them.
    public var quantizeOptions: String {
        var options: [String] = []
        if allowsFP16 { options.append("16 (FP16)") }
        if allowsINT8 { options.append("8 (INT8)") }
        if allowsW8A16 { options.append("'w8a16' (INT8 weights + INT16 activations)") }
        if allowsW8A32 { options.append("'w8a32' (dynamic INT8)") }
        if allowsFP32 { options.append("32 or None (FP32)") }
        return options.joined(separator: ", ")
    }

    static let fp16Formats: Set<String> = ["torchscript", "onnx", "openvino", "engine", "coreml", "coreai", "mnn", "ncnn",
                                           "rknn", "ascend"]
    static let int8Formats: Set<String> = ["onnx", "openvino", "engine", "coreml", "saved_model", "edgetpu", "litert", "mnn",
                                           "imx", "rknn", "axelera", "deepx", "hailo", "xilinx"]
    static let fp32Unsupported: Set<String> = ["edgetpu", "imx", "rknn", "axelera", "deepx", "qnn", "hailo", "ascend", "xilinx"]

    /// The arguments the allow-list check looks at, with the exporter's defaults.
    static let checkedArguments = ["batch", "data", "dynamic", "fraction", "opset", "optimize", "simplify", "workspace"]

    /// Every format, in the reference's order (its error message lists them so).
    public static let all: [ExportFormat] = [
        .init(name: "torchscript", displayName: "TorchScript", suffix: ".torchscript",
              arguments: ["batch", "quantize", "nms", "dynamic"], loadable: true),
        .init(name: "onnx", displayName: "ONNX", suffix: ".onnx",
              arguments: ["batch", "data", "dynamic", "quantize", "opset", "simplify", "nms", "fraction"], loadable: true),
        .init(name: "openvino", displayName: "OpenVINO", suffix: "_openvino_model",
              arguments: ["batch", "data", "dynamic", "quantize", "nms", "fraction"], loadable: true),
        .init(name: "engine", displayName: "TensorRT", suffix: ".engine",
              arguments: ["batch", "data", "dynamic", "quantize", "opset", "simplify", "workspace", "nms", "fraction"],
              loadable: true),
        .init(name: "coreml", displayName: "CoreML", suffix: ".mlpackage", arguments: ["batch", "dynamic", "quantize", "nms"],
              loadable: true),
        .init(name: "coreai", displayName: "Core AI", suffix: ".aimodel", arguments: ["batch", "quantize"], loadable: true),
        .init(name: "saved_model", displayName: "TensorFlow SavedModel", suffix: "_saved_model",
              arguments: ["batch", "data", "fraction", "quantize", "opset", "nms"], loadable: true),
        .init(name: "pb", displayName: "TensorFlow GraphDef", suffix: ".pb", arguments: ["batch", "opset"], loadable: true),
        .init(name: "edgetpu", displayName: "TensorFlow Edge TPU", suffix: "_edgetpu.tflite",
              arguments: ["data", "fraction", "quantize", "opset"], loadable: true),
        .init(name: "litert", displayName: "LiteRT", suffix: ".tflite", arguments: ["batch", "quantize", "data", "fraction"],
              loadable: true),
        .init(name: "paddle", displayName: "PaddlePaddle", suffix: "_paddle_model", arguments: ["batch"], loadable: true),
        .init(name: "mnn", displayName: "MNN", suffix: ".mnn",
              arguments: ["batch", "dynamic", "quantize", "opset", "simplify", "nms"], loadable: true),
        .init(name: "ncnn", displayName: "NCNN", suffix: "_ncnn_model", arguments: ["batch", "quantize"], loadable: true),
        .init(name: "imx", displayName: "IMX", suffix: "_imx_model", arguments: ["data", "quantize", "fraction", "nms"],
              loadable: true),
        .init(name: "rknn", displayName: "RKNN", suffix: "_rknn_model",
              arguments: ["batch", "name", "quantize", "opset", "simplify", "data", "fraction"], loadable: true),
        .init(name: "executorch", displayName: "ExecuTorch", suffix: "_executorch_model", arguments: ["batch"], loadable: true),
        .init(name: "axelera", displayName: "Axelera AI", suffix: "_axelera_model",
              arguments: ["batch", "quantize", "fraction", "data"], loadable: true),
        .init(name: "deepx", displayName: "DEEPX", suffix: "_deepx_model",
              arguments: ["data", "quantize", "opset", "simplify", "optimize"], loadable: true),
        .init(name: "qnn", displayName: "Qualcomm QNN", suffix: "_qnn.onnx",
              arguments: ["batch", "name", "quantize", "opset", "simplify", "fraction", "data"], loadable: true),
        .init(name: "hailo", displayName: "Hailo", suffix: "_hailo_model",
              arguments: ["name", "quantize", "data", "fraction", "simplify", "conf", "iou"], loadable: true),
        .init(name: "ascend", displayName: "Huawei Ascend", suffix: "_ascend_model",
              arguments: ["batch", "name", "quantize", "opset", "simplify", "nms"], loadable: true),
        .init(name: "xilinx", displayName: "AMD Xilinx", suffix: "_xilinx_model",
              arguments: ["name", "quantize", "data", "fraction", "opset", "simplify"], loadable: true),
    ]

    /// The format named `name` (already resolved), if any.
    public static func named(_ name: String) -> ExportFormat? { all.first { $0.name == name } }
}
