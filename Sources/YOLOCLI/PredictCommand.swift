import Foundation
import YOLODistributed
import YOLOEngine
import YOLOModel
import YOLOTrack

/// `yolo pose predict model=… source=…`: loads the model, runs the predictor over the source and saves
/// what was asked (annotated images/videos by default, labels, crops). `yolo pose track` is the same run with a
/// tracker attached (`tracker=`, default `tracktrack.yaml`), `conf` defaulting to 0.1 and `runs/pose/track`.
enum PredictCommand {
    static func options(_ cfg: CLIConfig) -> PredictOptions {
        var o = PredictOptions()
        let tracking = cfg.mode == "track"
        o.mode = tracking ? "track" : "predict"
        // Trackers need the low-confidence detections: track mode lowers the default to 0.1, as the reference does.
        o.conf = Float(cfg.isSet("conf") ? cfg.double("conf") ?? 0.25 : tracking ? 0.1 : 0.25)
        o.iou = Float(cfg.double("iou") ?? 0.7)
        o.precision = CLI.precision(cfg)
        if cfg.isSet("imgsz") { o.imgsz = cfg.intList("imgsz") }
        o.maxDet = cfg.int("max_det") ?? 300
        o.classes = cfg.isSet("classes") ? cfg.intList("classes") : nil
        o.agnosticNMS = cfg.bool("agnostic_nms")
        // The CLI saves annotated output unless told otherwise, as Ultralytics does.
        o.save = cfg.isSet("save") ? cfg.bool("save") : true
        o.saveTxt = cfg.bool("save_txt")
        o.saveConf = cfg.bool("save_conf")
        o.saveCrop = cfg.bool("save_crop")
        o.project = cfg.string("project")
        o.name = cfg.string("name")
        o.existOk = cfg.bool("exist_ok")
        o.verbose = cfg.isSet("verbose") ? cfg.bool("verbose") : true
        o.vidStride = cfg.int("vid_stride") ?? 1
        o.streamBuffer = cfg.bool("stream_buffer")
        o.saveFrames = cfg.bool("save_frames")
        // LayerCAM maps, as the reference: not with augment or embed (it skips them then).
        o.visualize = cfg.bool("visualize") && !cfg.bool("augment") && !cfg.isSet("embed")
        o.batch = cfg.isSet("batch") ? max(cfg.int("batch") ?? 1, 1) : 1  // predict and track default to 1
        if cfg.isSet("batch"), let b = cfg.int("batch"), b < 1 {
            Log.warning("'batch=\(b)' is not a batch size for \(cfg.mode); images are predicted in batches of 1")
        }
        o.rect = cfg.isSet("rect") ? cfg.bool("rect") : true
        o.showLabels = cfg.bool("show_labels")
        o.showConf = cfg.bool("show_conf")
        o.showBoxes = cfg.bool("show_boxes")
        o.lineWidth = cfg.isSet("line_width") ? cfg.int("line_width") : nil
        return o
    }

    static func run(_ cfg: CLIConfig) throws {
        var cfg = cfg
        let modelName = cfg.string("model") ?? "yolov8n-pose.pt"
        let model = try CLI.loadBackend(modelName)
        cfg.reconcileTask(modelTask: model.task)
        guard let source = cfg.string("source") else {
            throw CLIError.missing("'source' is required for \(cfg.mode), e.g. 'yolo pose \(cfg.mode) model=\(modelName) source=path/to/images'")
        }
        try CLI.checkCommonArguments(cfg)
        var options = options(cfg)
        if options.visualize, !(model is YOLONetwork) {
            Log.warning("['visualize'] not supported by this model (format='\((modelName as NSString).pathExtension.lowercased())'), ignoring.")
            options.visualize = false
        }
        let predictor = try Predictor(backend: model, options: options)
        // Under mpirun each rank predicts its slice of the sources into rank 0's run folder; rank 0 prints the banner
        // and the totals, every rank its own image lines.
        let group = try Distributed.world()
        predictor.communicator = group
        if cfg.mode == "track" {
            let session = try TrackingSession(tracker: cfg.string("tracker") ?? "tracktrack.yaml")
            if !session.config.unusedKeys.isEmpty {
                Log.warning("tracker \(session.config.file): \(session.config.unusedKeys.joined(separator: ", ")) not used by \(session.config.trackerType)")
            }
            session.attach(to: predictor)
        }
        if group.isMain {
            print(CLI.banner())
            CLI.backendSummary(modelName, model).forEach { print($0) }
            print("")
        }
        let run = try predictor.run(source: source)
        if group.isMain { print("💡 Learn more at https://docs.ultralytics.com/modes/\(cfg.mode)") }
        // Every input unreadable: the reference's warnings end in exit 0; here the exit code says nothing was done,
        // and the run folder made for the outputs is removed again when it stayed empty.
        if run.results == 0, !run.skipped.isEmpty {
            if let dir = run.saveDir { SaveDirectory.removeIfEmpty(dir) }
            throw CLIError.invalidValue("none of the \(run.skipped.count) inputs of source=\(source) could be read")
        }
    }
}
