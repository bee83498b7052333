import Foundation
import YOLOData
import YOLOEngine
import YOLOExport
import YOLOModel
import YOLOONNX
import YOLOTrack
import YOLOTrain

/// A YOLOv8-pose model as Ultralytics' `YOLO` object: load a checkpoint (or a model YAML), then predict, validate,
/// train and export with the same object. An `.onnx` export loads too and, as in the reference, only predicts and
/// validates.
///
/// ```swift
/// let model = try YOLO("yolov8n-pose.pt")
/// let results = try model("bus.jpg")                       // predict
/// print(results[0].summary())
/// let metrics = try model.val(data: "coco8-pose.yaml")     // validate
/// let tracked = try model.track("clip.mp4")                // ids on boxes: tracked[0].boxes.id
/// try model.train(data: "coco8-pose.yaml", epochs: 3)      // fine-tune; the object then holds best.pt
/// let onnx = try model.export(format: "onnx")                // best.onnx beside best.pt
/// ```
///
/// The object keeps the trainable (unfused) network; prediction and validation run on a fused copy made once per
/// weights, so one object can predict, train and predict again.
public final class YOLO {
    /// The trainable network (Conv+BN unfused), with its names, strides and the checkpoint's training arguments;
    /// nil for an exported model (`.onnx`).
    public private(set) var network: YOLONetwork?
    /// The exported model being run when the object was made from an `.onnx` file.
    public private(set) var exported: ONNXModel?
    /// Where the model came from (`yolov8n-pose.pt`, a run's best.pt after training, a YAML).
    public private(set) var source: String
    private var fused: YOLONetwork?
    /// The tracker kept between `track(…, persist: true)` calls.
    var trackingSession: TrackingSession?

    /// Loads an Ultralytics `.pt` (official names are downloaded), this project's `.safetensors`, or a model YAML
    /// (fresh weights). `task` ("pose"/"detect") is checked when given.
    public init(_ model: String, task: String? = nil) throws {
        if (model as NSString).pathExtension.lowercased() == "onnx" {
            exported = try ONNXModel.load(model, task: task)
        } else {
            network = try YOLONetwork.load(model, task: task)
        }
        source = model
    }

    /// Wraps an existing network.
    public init(network: YOLONetwork, source: String = "network") {
        precondition(!network.isFused, "YOLO(network:): pass the unfused network (fusing is done for inference)")
        self.network = network
        self.source = source
    }

    /// Class names by index.
    public var names: [Int: String] { backend.names }
    /// "pose" or "detect".
    public var task: String { backend.task }
    /// What predict and val run: the network or the exported model.
    var backend: InferenceBackend { network.map { $0 as InferenceBackend } ?? exported! }

    /// The model predict and val run: a fused copy of the network (made on first use after loading or training) or
    /// the exported model.
    func inference() -> InferenceBackend {
        guard let network else { return exported! }
        if let f = fused { return f }
        let f = network.clone()
        f.fuse()
        fused = f
        return f
    }

    /// The network for modes that need the PyTorch-equivalent model (train, export).
    private func trainable() throws -> YOLONetwork {
        guard let network else { throw ModelLoadError.unsupportedFormat(file: source) }
        return network
    }

    /// Predicts every image and video frame of `source` (file, folder, glob, list file, URL), as
    /// `model.predict(source, …)` does, and returns the results in order. `quantize: 16` runs the convolutions in bf16
    /// where the CPU has native bf16 (`ConvPrecision(quantize:)`).
    public func predict(_ source: String, conf: Float = 0.25, iou: Float = 0.7, imgsz: [Int]? = nil, maxDet: Int = 300,
                        classes: [Int]? = nil, agnosticNMS: Bool = false, save: Bool = false, saveTxt: Bool = false,
                        saveConf: Bool = false, saveCrop: Bool = false, project: String? = nil, name: String? = nil,
                        existOk: Bool = false, verbose: Bool = false, quantize: Int? = nil) throws -> [Results] {
        try inference().predict(source, conf: conf, iou: iou, imgsz: imgsz, maxDet: maxDet, classes: classes,
                                agnosticNMS: agnosticNMS, save: save, saveTxt: saveTxt, saveConf: saveConf,
                                saveCrop: saveCrop, project: project, name: name, existOk: existOk, verbose: verbose,
                                quantize: quantize)
    }

    /// The results of `source` as a lazy `AsyncSequence` (the reference's `model.predict(source, stream=True)`):
    /// videos and live streams (`rtsp://…`, `0` for a webcam) are predicted as they are read, on a background
    /// thread at most a few results ahead of the consumer; leaving the loop stops the prediction.
    ///
    /// ```swift
    /// for try await r in try model.stream("clip.mp4") { print(r.verbose()) }
    /// ```
    public func stream(_ source: String, options: PredictOptions = PredictOptions()) throws -> ResultsStream {
        try Predictor(backend: inference(), options: options).stream(source)
    }

    /// Predicts one decoded image.
    public func predict(_ image: Image, options: PredictOptions = PredictOptions()) throws -> Results {
        try Predictor(backend: inference(), options: options).predict(image)
    }

    /// `model(source)`: predict with the defaults.
    public func callAsFunction(_ source: String, conf: Float = 0.25) throws -> [Results] {
        try predict(source, conf: conf)
    }

    /// Validates on a data YAML as `model.val(data: …)` does: without `imgsz` the checkpoint's training size is
    /// used (else 640); prints the reference's table when `verbose`; `quantize: 16` as in `predict`.
    public func val(data: String, imgsz: Int? = nil, batch: Int = 16, conf: Float = 0.001, iou: Float = 0.7,
                    split: String = "val", plots: Bool = false, saveJSON: Bool = false, saveDir: URL? = nil,
                    verbose: Bool = true, quantize: Int? = nil) throws -> PoseMetrics {
        var o = ValOptions()
        o.precision = ConvPrecision(quantize: quantize)
        o.imgsz = imgsz ?? backend.defaultImgsz?.first ?? 640
        o.batch = batch
        o.conf = conf
        o.iou = iou
        o.split = split
        o.plots = plots && saveDir != nil
        o.saveJSON = saveJSON && saveDir != nil
        o.saveDir = saveDir
        o.verbose = verbose
        return try Validator(backend: inference(), data: try DataConfig.load(data), options: o).run()
    }

    /// Trains (fine-tunes) this model on `data` as `model.train(data: …)` does, with any other training argument
    /// in `arguments` (`[("lr0", .double(0.01))]`); `onEpochEnd` sees each epoch and may stop the run by returning
    /// false. Afterwards the object holds the run's best.pt (else last.pt), whatever its layout.
    @discardableResult
    public func train(data: String, epochs: Int = 100, imgsz: Int = 640, batch: Int = 16,
                      arguments: [(String, ConfigNode)] = [], log: ((String) -> Void)? = nil,
                      onEpochEnd: ((EpochSummary) -> Bool)? = nil) throws -> TrainResult {
        let start = try trainable()
        var overrides: [(key: String, value: ConfigNode)] = [("model", .string(source)), ("data", .string(data)),
                                                              ("epochs", .int(epochs)), ("imgsz", .int(imgsz)),
                                                              ("batch", .int(batch))]
        overrides += arguments.map { (key: $0.0, value: $0.1) }
        let trainer = try Trainer(defaults: TrainArguments.defaults, overrides: overrides, log: log)
        trainer.startNetwork = start
        trainer.onEpochEnd = onEpochEnd
        let result = try trainer.train()
        network = try result.loadBest()
        exported = nil
        source = (result.best ?? result.last).path
        fused = nil
        return result
    }

    /// Exports the model as `model.export(format: …)` does (`onnx`, `torchscript`, `openvino`, `ncnn`), beside the
    /// weights it was loaded from; `imgsz` defaults to the checkpoint's training size. Console lines go to `log`.
    /// - Returns: the written file or folder.
    @discardableResult
    public func export(format: String = "onnx", imgsz: [Int]? = nil, batch: Int = 1, dynamic: Bool = false,
                       simplify: Bool = true, opset: Int? = nil, quantize: ExportQuantize? = nil, nms: Bool? = nil,
                       log: ExportLog = .silent) throws -> URL {
        try trainable().export(format: format, imgsz: imgsz, batch: batch, dynamic: dynamic, simplify: simplify,
                               opset: opset, quantize: quantize, nms: nms, log: log)
    }
}
