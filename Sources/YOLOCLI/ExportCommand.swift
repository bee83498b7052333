import Foundation
import YOLOEngine
import YOLOExport
import YOLOModel

/// `yolo export model=… format=…` (also `yolo pose export …`): loads the model and runs the exporter with the
/// reference's argument handling and console output (stdout); a failure adds the reference's "cloud" line on stdout
/// and one `Error:` line on stderr (exit 1).
enum ExportCommand {
    static func run(_ cfg: CLIConfig) throws {
        var cfg = cfg
        let modelName = cfg.string("model") ?? CLIGrammar.defaultModel
        let args = try arguments(cfg)
        do {
            let net = try YOLONetwork.load(modelName)
            cfg.reconcileTask(modelTask: net.task)
            try Exporter(arguments: args, log: ExportLog(), banner: CLI.banner()).run(network: net, modelPath: modelName)
        } catch {
            print(cloudLine(format: args.format))
            throw error
        }
        print("💡 Learn more at https://docs.ultralytics.com/modes/export")
    }

    /// The export arguments from the command line, with the exporter's own defaults (batch 1, no data) where the
    /// user gave nothing.
    static func arguments(_ cfg: CLIConfig) throws -> ExportArguments {
        var a = ExportArguments(format: cfg.string("format") ?? "torchscript")
        if cfg.isSet("imgsz") {
            guard let size = cfg.intList("imgsz") else {
                throw ExportError.invalidArgument("'imgsz=\(cfg.value("imgsz"))' is not a valid image size. Valid imgsz values are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'")
            }
            a.imgsz = size
        }
        if cfg.isSet("batch") { a.batch = cfg.int("batch") ?? 1 }
        if cfg.isSet("device") { a.device = cfg.string("device") }
        if cfg.isSet("data") { a.data = cfg.string("data") }
        a.dynamic = cfg.bool("dynamic")
        a.simplify = cfg.isSet("simplify") ? cfg.bool("simplify") : true
        a.opset = cfg.int("opset")
        if let q = cfg.string("quantize") { a.quantize = try ExportQuantize(parsing: q) }
        if cfg.isSet("nms"), !cfg.value("nms").isNone { a.nms = cfg.bool("nms") }
        a.conf = cfg.double("conf")
        a.iou = cfg.double("iou") ?? 0.7
        a.maxDet = cfg.int("max_det") ?? 300
        a.agnosticNMS = cfg.bool("agnostic_nms")
        a.workspace = cfg.double("workspace")
        a.fraction = cfg.double("fraction") ?? 1.0
        a.optimize = cfg.bool("optimize")
        if cfg.isSet("name") { a.name = cfg.string("name") }
        return a
    }

    /// `Export to ONNX in the cloud with Ultralytics Platform: …` (the raw format text when it names no format).
    static func cloudLine(format: String) -> String {
        let known = (try? ExportFormat.resolve(format, warn: { _ in }))?.format.displayName
        return "Export to \(known ?? format) in the cloud with Ultralytics Platform: https://platform.ultralytics.com"
    }
}
