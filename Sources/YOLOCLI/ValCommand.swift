import Foundation
import YOLODistributed
import YOLOData
import YOLOEngine
import YOLOModel

/// `yolo pose val model=… data=…`: validates and prints the Box/Pose metrics table.
enum ValCommand {
    static func run(_ cfg: CLIConfig) throws {
        var cfg = cfg
        let modelName = cfg.string("model") ?? "yolov8n-pose.pt"
        let model = try CLI.loadBackend(modelName)
        cfg.reconcileTask(modelTask: model.task)
        guard let dataPath = cfg.string("data") ?? (model as? YOLONetwork)?.args["data"]?.string else {
            throw CLIError.missing("'data' is required for val, e.g. 'yolo pose val model=\(modelName) data=coco8-pose.yaml'")
        }
        guard FileManager.default.fileExists(atPath: dataPath) else {
            throw CLIError.missing("dataset '\(dataPath)' not found (this build reads local data YAMLs; dataset downloads are not run)")
        }
        try CLI.checkCommonArguments(cfg)
        let data = try DataConfig.load(dataPath)
        var o = ValOptions()
        // Without imgsz= the checkpoint's training size is used, as the reference does (640 for a dynamic export;
        // a static export always runs at its own size, set by the validator).
        if cfg.isSet("imgsz"), let s = cfg.intList("imgsz")?.first { o.imgsz = s }
        else if let s = model.defaultImgsz?.first { o.imgsz = s }
        o.batch = cfg.int("batch") ?? 16
        o.conf = cfg.isSet("conf") ? Float(cfg.double("conf") ?? 0.001) : 0.001
        o.iou = Float(cfg.double("iou") ?? 0.7)
        o.precision = CLI.precision(cfg)
        o.maxDet = cfg.int("max_det") ?? 300
        o.split = cfg.string("split") ?? "val"
        o.singleCls = cfg.bool("single_cls")
        o.agnosticNMS = cfg.bool("agnostic_nms")
        o.verbose = cfg.isSet("verbose") ? cfg.bool("verbose") : true
        o.saveJSON = cfg.bool("save_json")
        o.saveTxt = cfg.bool("save_txt")
        o.saveConf = cfg.bool("save_conf")
        o.plots = cfg.isSet("plots") ? cfg.bool("plots") : true
        // The reference always makes runs/<task>/val(-N) (labels/ inside it with save_txt). Under mpirun the ranks
        // share the folder rank 0 picks, and rank 0 alone prints.
        let group = try Distributed.world()
        let chosen = SaveDirectory.make(task: model.task, mode: "val", project: cfg.string("project"),
                                        name: cfg.string("name"), existOk: cfg.bool("exist_ok"))
        let saveDir = URL(fileURLWithPath: try group.broadcast(chosen.path))
        try FileManager.default.createDirectory(at: saveDir, withIntermediateDirectories: true)
        o.saveDir = saveDir
        // The reference makes the run folder first; a run that fails before writing anything leaves none behind.
        do {
            let validator = try Validator(backend: model, data: data, options: o)
            validator.communicator = group
            if group.isMain {
                print(CLI.banner())
                CLI.backendSummary(modelName, model).forEach { print($0) }
                if group.size > 1 { print("Validating on \(group.size) ranks") }
            } else {
                validator.log = { _ in }
            }
            _ = try validator.run()
        } catch {
            if group.isMain { SaveDirectory.removeIfEmpty(saveDir) }
            throw error
        }
        if group.isMain { print("💡 Learn more at https://docs.ultralytics.com/modes/val") }
    }
}
