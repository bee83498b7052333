import Foundation

/// `format=openvino`: the folder `<stem>_openvino_model/` beside the weights with `<stem>.xml` (OpenVINO IR v11),
/// `<stem>.bin` (the constants) and `metadata.yaml` (spec export.md §6).
///
/// As the reference's torch-converted IR: input `x.1` f32 `[b, 3, h, w]` (`[?, 3, ?, ?]` with `dynamic=True`), one
/// unnamed output, SiLU as `Swish`, conv biases as separate `Add`s, the head decode inside the graph, and the
/// reference's `rt_info/model_info` (labels, letterbox settings). `quantize=16` stores float weights as f16 with
/// `decompression` Converts (I/O stay f32); `nms=True` embeds NMS (`NonMaxSuppression` opset9). INT8 (NNCF) is not
/// produced.
public struct OpenVINOFormatWriter: ExportFormatWriter {
    public let format = "openvino"
    /// The OpenVINO release whose IR the writer targets and whose runtime the tests run it with.
    public static let openvinoVersion = "2026.4.1-22982-e213a147257-releases/2026/4"
    /// The input tensor name of the reference's IR (torch's traced argument name).
    public static let inputName = "x.1"

    public init() {}

    public func export(_ job: ExportJob) throws -> ExportArtifact {
        let prefix = ExportLog.prefix("OpenVINO")
        if job.arguments.quantize == .int8 {
            throw ExportError.quantizeNotImplemented(format: format, quantize: "8 (INT8)")
        }
        job.log.info("")
        job.log.info("\(prefix) starting export with openvino \(Self.openvinoVersion)...")
        var graph = try Self.graph(job)
        try GraphPassPipeline.simplify.run(&graph)
        var builder = OpenVINOIRBuilder(graph: graph, compressWeights: job.arguments.quantize == .fp16)
        var (model, weights) = try builder.build()
        model.modelInfo = Self.modelInfo(job)
        let stem = String(job.destination.lastPathComponent.dropLast(job.format.suffix.count))
        let xml = Data(model.xml.utf8)
        let yaml = Data(job.metadata.yaml.utf8)
        try AtomicArtifact.writeFolder(to: job.destination) { folder in
            try Self.write(Data(weights), to: folder.appendingPathComponent(stem + ".bin"), artefact: job.destination)
            try Self.write(xml, to: folder.appendingPathComponent(stem + ".xml"), artefact: job.destination)
            try Self.write(yaml, to: folder.appendingPathComponent("metadata.yaml"), artefact: job.destination)
        }
        return ExportArtifact(url: job.destination, displayPath: job.displayPath(suffix: job.format.suffix, trailingSlash: true))
    }

    /// The export graph as this format lowers it: SiLU fused (OpenVINO `Swish`), input named `x.1`.
    static func graph(_ job: ExportJob) throws -> ExportGraph {
        var options = job.loweringOptions
        options.fusedSiLU = true
        options.inputName = inputName
        return try job.network.exportGraph(options)
    }

    /// `rt_info/model_info` as the reference writes it for OpenVINO's model API: IoU threshold, class labels
    /// (spaces → `_`, space-separated), model type and the letterbox preprocessing.
    static func modelInfo(_ job: ExportJob) -> [(key: String, value: String)] {
        let labels = job.network.names.sorted { $0.key < $1.key }.map { $0.value.replacingOccurrences(of: " ", with: "_") }
        return [
            ("iou_threshold", MetadataValue.float(job.arguments.iou).pythonStr),
            ("labels", labels.joined(separator: " ")),
            ("model_type", "YOLO"),
            ("pad_value", "114"),
            ("resize_type", "fit_to_window_letterbox"),
            ("reverse_input_channels", "YES"),
            ("scale_values", "255"),
        ]
    }

    private static func write(_ data: Data, to url: URL, artefact: URL) throws {
        do {
            try data.write(to: url)
        } catch {
            throw ExportError.writeFailed(file: artefact.appendingPathComponent(url.lastPathComponent).path,
                                          reason: error.localizedDescription)
        }
    }
}
