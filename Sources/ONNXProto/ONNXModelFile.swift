// Hand-written helpers beside the generated `onnx.pb.swift` (regenerate that file with Scripts/onnx/generate.sh).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftProtobuf

/// Reading and writing `.onnx` files with the generated protobuf messages (`Onnx_ModelProto` and friends).
///
/// ```swift
/// let model = try ONNXModelFile.read(URL(fileURLWithPath: "n.onnx"))
/// let input = model.graph.input[0]                        // name "images", type.tensorType.shape.dim
/// let weights = model.graph.initializer                   // Onnx_TensorProto: dims, dataType, rawData
/// let meta = Dictionary(uniqueKeysWithValues: model.metadataProps.map { ($0.key, $0.value) })
/// ```
public enum ONNXModelFile {
    /// Parses an ONNX model file. Tensors written by this project and by torch carry their values in `rawData`
    /// (little-endian); other producers may use the typed fields (`floatData`, `int64Data`, …).
    public static func read(_ url: URL) throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: Data(contentsOf: url))
    }

    /// The serialised bytes of a model.
    public static func data(_ model: Onnx_ModelProto) throws -> Data {
        try model.serializedBytes()
    }
}
