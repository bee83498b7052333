import Foundation
import YOLOModel

/// Writes one export format. The exporter core has already resolved and validated the arguments, printed the
/// banner, summary and `PyTorch:` lines, and built the metadata; the writer prints its own prefix lines
/// (`job.log`, `ExportLog.prefix(displayName)`), writes the artefact atomically (`AtomicArtifact`) at
/// `job.destination` and returns it. The core then prints `export success ✅ …` and the summary.
///
/// To add a format: implement this protocol (usually `job.graph()` → serialise), and register an instance in
/// `ExportFormatRegistry.builtIn` (or at run time with `ExportFormatRegistry.register`).
public protocol ExportFormatWriter: Sendable {
    /// The `ExportFormat.name` this writer produces (`onnx`).
    var format: String { get }
    /// Writes the artefact; throws to report an export failure (the core prints `ERROR ❌ <Prefix>: export failure …`).
    func export(_ job: ExportJob) throws -> ExportArtifact
}

/// What a writer produced.
public struct ExportArtifact: Sendable, Equatable {
    /// The file or folder written.
    public var url: URL
    /// The path as the reference prints it (`n.onnx`, `n_openvino_model/`, `n_ncnn_model`), relative as the model
    /// path was given.
    public var displayPath: String

    public init(url: URL, displayPath: String) {
        self.url = url
        self.displayPath = displayPath
    }
}

/// Everything a writer needs for one export.
public struct ExportJob: @unchecked Sendable {
    /// The network to export (not modified by lowering; fused or not).
    public let network: YOLONetwork
    /// The resolved format and the name the user asked for (`mlmodel` for legacy CoreML).
    public let format: ExportFormat
    public let requestedFormat: String
    /// Validated arguments: `imgsz` resolved and rounded to `[h, w]`, `nms` dropped where unsupported, `conf` set
    /// when `nms`.
    public let arguments: ExportArguments
    /// `[h, w]`.
    public let imageSize: [Int]
    /// The metadata dictionary (spec §3.1), in order.
    public let metadata: ExportMetadata
    /// Where the artefact goes: `<dir of weights>/<stem><suffix>` (cwd for a YAML-built model).
    public let destination: URL
    /// The weights path as the reference prints it (`n.pt`), used for display paths.
    public let modelDisplayPath: String
    /// Console lines.
    public let log: ExportLog

    /// Lowering options matching the arguments (batch, size, dynamic, embedded NMS).
    public var loweringOptions: LoweringOptions {
        var o = LoweringOptions(batch: arguments.batch, height: imageSize[0], width: imageSize[1],
                                dynamic: arguments.dynamic)
        if arguments.nms == true {
            o.nms = EmbeddedNMSOptions(conf: Float(arguments.conf ?? 0.25), iou: Float(arguments.iou),
                                       maxDet: arguments.maxDet, agnostic: arguments.agnosticNMS)
        }
        return o
    }

    /// The export graph for these arguments (`fusedSiLU` for formats with a native SiLU/Swish).
    public func graph(fusedSiLU: Bool = false) throws -> ExportGraph {
        var o = loweringOptions
        o.fusedSiLU = fusedSiLU
        return try network.exportGraph(o)
    }

    /// The display path of an artefact named `<stem><suffix>` beside the weights.
    public func displayPath(suffix: String, trailingSlash: Bool = false) -> String {
        ExportPaths.withSuffix(modelDisplayPath, suffix) + (trailingSlash ? "/" : "")
    }
}
