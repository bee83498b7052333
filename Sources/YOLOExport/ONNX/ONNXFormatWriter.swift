import Foundation
import ONNXProto
import SwiftProtobuf

/// `format=onnx`: `<stem>.onnx` beside the weights (spec export.md §4). Opset 18 unless `opset=` (9…25; ≥ 11 with
/// NMS), IR version from the opset; `simplify` runs `GraphPassPipeline.simplify` and annotates shapes;
/// `quantize=16` converts to FP16 with float32 I/O as the reference does on CPU; metadata in `metadata_props`.
public struct ONNXFormatWriter: ExportFormatWriter {
    public let format = "onnx"
    /// The onnx package version whose `onnx.proto` the writer uses (printed as the reference prints its onnx).
    public static let onnxVersion = "1.23.2"

    public init() {}

    public func export(_ job: ExportJob) throws -> ExportArtifact {
        let args = job.arguments
        let prefix = ExportLog.prefix("ONNX")
        let opset = args.opset ?? ONNXVersions.defaultOpset
        let minimum = args.nms == true ? ONNXVersions.minimumOpsetWithNMS : ONNXVersions.minimumOpset
        guard opset >= minimum else { throw ExportError.opsetTooLow(minimum: minimum, got: opset) }
        guard opset <= ONNXVersions.maximumOpset else {
            throw ExportError.opsetTooHigh(maximum: ONNXVersions.maximumOpset, got: opset)
        }
        if args.quantize == .int8 { throw ExportError.quantizeNotImplemented(format: format, quantize: "8 (INT8)") }
        job.log.info("")
        job.log.info("\(prefix) starting export with onnx \(Self.onnxVersion) opset \(opset)...")
        var graph = try job.graph()
        if args.simplify {
            job.log.info("\(prefix) slimming with built-in graph passes...")
            try GraphPassPipeline.simplify.run(&graph)
        }
        if args.quantize == .fp16 {
            job.log.info("\(prefix) converting to FP16...")
            _ = try Float16Conversion().run(&graph)
        }
        if try ONNXOpsetLegalization(opset: opset).run(&graph), args.simplify {
            _ = try TransposeFusion().run(&graph)
        }
        GraphShapeInference.run(&graph)
        var builder = ONNXModelBuilder(opset: opset)
        builder.includeValueInfo = args.simplify
        let model = try builder.model(graph, metadata: job.metadata.stringProperties)
        let data: Data = try model.serializedBytes()
        try AtomicArtifact.writeFile(to: job.destination) { try $0.write(data) }
        return ExportArtifact(url: job.destination, displayPath: job.displayPath(suffix: ".onnx"))
    }
}
