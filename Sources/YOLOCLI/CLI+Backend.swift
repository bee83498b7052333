import Foundation
import YOLOEngine
import YOLOModel
import YOLOONNX

extension CLI {
    /// The model for predict/val: an ONNX export (`.onnx`, run by `ONNXModel`) or a network (`.pt`, `.yaml`,
    /// `.safetensors`, loaded by `YOLONetwork.load`).
    static func loadBackend(_ name: String) throws -> InferenceBackend {
        if (name as NSString).pathExtension.lowercased() == "onnx" { return try ONNXModel.load(name) }
        return try YOLONetwork.load(name)
    }

    /// The lines printed after the banner: a network's summary, or which ONNX file is run and how.
    static func backendSummary(_ name: String, _ backend: InferenceBackend) -> [String] {
        if let net = backend as? YOLONetwork { return [modelSummary(name, net)] }
        guard let onnx = backend as? ONNXModel else { return [] }
        let shape = onnx.inputDims.map { $0.map(String.init) ?? "?" }.joined(separator: ", ")
        return ["Loading \(name) for ONNX inference...",
                "Using the built-in ONNX evaluator (oneDNN, opset \(onnx.opset)) with input (\(shape))\(onnx.isEndToEnd ? " and embedded NMS" : "")"]
    }
}
