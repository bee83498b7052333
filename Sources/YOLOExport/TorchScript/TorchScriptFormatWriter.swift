import Foundation

/// `format=torchscript`: `<stem>.torchscript` beside the weights (spec export.md §5), written by `TorchScriptWriter`
/// with the reference's `extra/config.txt` metadata; `quantize=16` fails on the CPU as in the reference.
public struct TorchScriptFormatWriter: ExportFormatWriter {
    public let format = "torchscript"
    /// The torch version the reference prints in its prefix line (the files load in torch ≥ 1.x).
    public static let torchVersion = "2.15.0"

    public init() {}

    public func export(_ job: ExportJob) throws -> ExportArtifact {
        let a = job.arguments
        let quantize: String? = a.quantize.map { q in
            switch q {
            case .fp32: return "32"
            case .fp16: return "16"
            case .int8: return "8"
            case .w8a16: return "w8a16"
            case .w8a32: return "w8a32"
            }
        }
        let options = TorchScriptExportOptions(imgsz: job.imageSize, batch: a.batch, dynamic: a.dynamic, nms: a.nms,
                                               quantize: quantize, conf: a.conf, iou: a.iou, maxDet: a.maxDet,
                                               agnosticNMS: a.agnosticNMS)
        job.log.info("")
        job.log.info("\(ExportLog.prefix("TorchScript")) starting export with torch \(Self.torchVersion)...")
        let metadata = TorchScriptMetadata(network: job.network, options: options, kptNames: job.network.kptNames)
        try TorchScriptWriter.write(network: job.network, options: options, metadata: metadata, to: job.destination)
        return ExportArtifact(url: job.destination, displayPath: job.displayPath(suffix: ".torchscript"))
    }
}
