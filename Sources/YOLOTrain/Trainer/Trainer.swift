import Foundation
import YOLOData
import YOLODistributed
import YOLOEngine
import YOLOModel
import YOLOTensor

/// What one finished epoch reports to the per-epoch callback.
public struct EpochSummary: Sendable {
    /// 1-based epoch number and the planned total.
    public let epoch: Int, epochs: Int
    /// `train/<loss>` running means, `metrics/…` and `val/<loss>` (when validated), `lr/pgN`.
    public let values: [(String, Double)]
    /// mAP50-95(B) + mAP50-95(P) of this epoch's validation, nil when not validated.
    public let fitness: Double?
    /// Seconds since training started.
    public let time: Double
}

/// What a finished run leaves behind.
public struct TrainResult: Sendable {
    public let saveDir: URL
    public let best: URL?
    public let last: URL
    /// Metrics of the final validation of best.pt (empty when nothing was validated).
    public let metrics: [(String, Double)]
    public let epochsCompleted: Int

    /// The trained network: best.pt, else last.pt.
    public func loadBest() throws -> YOLONetwork { try YOLONetwork.load((best ?? last).path) }
}

/// The reference's pose trainer (spec train-and-val §2): model and data set-up, the optimizer with warmup,
/// accumulation to the nominal batch, gradient clipping, EMA, per-epoch validation of the EMA with validation
/// losses, results.csv, atomic last/best checkpoints, early stopping, resume, and the final best.pt validation.
public final class Trainer {
    /// The resolved arguments (what args.yaml and the checkpoints' train_args hold).
    public internal(set) var args: TrainArguments
    /// The run folder (`runs/pose/train`, `train-2`, …).
    public let saveDir: URL
    public var weightsDir: URL { saveDir.appendingPathComponent("weights") }
    public var lastURL: URL { weightsDir.appendingPathComponent("last.pt") }
    public var bestURL: URL { weightsDir.appendingPathComponent("best.pt") }
    /// Console sink for full lines.
    public var log: (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    /// Called after every epoch; return false to stop training after it (the run still finishes normally).
    public var onEpochEnd: ((EpochSummary) -> Bool)?
    /// A network to start from instead of the `model` argument (the Swift API trains an existing object): its
    /// architecture is rebuilt with the data's classes and keypoints and its weights transferred, unless
    /// `pretrained=False`.
    public var startNetwork: YOLONetwork?
    /// The processes training together: this one alone, or the ranks `mpirun` started (data-parallel, as torch DDP:
    /// the batch split across ranks, gradients summed after every backward, rank 0 alone validating and writing).
    public let communicator: Communicator
    /// Runs the data-parallel protocol of this many ranks inside one process, the ranks' batches one after the other
    /// with their gradients summed — what `mpirun -np N` computes, without MPI (the reference its tests compare to).
    /// Set before `train()`; only with a single-process communicator.
    public var simulatedRanks = 1
    /// When set, every optimizer step writes this rank's parameters (fp32, state-dict order, raw little-endian) to
    /// `rank<R>-step<N>.f32` here (`YOLO_TRAIN_DUMP_WEIGHTS` on the command line): how the distributed tests compare
    /// ranks and runs step by step.
    public var weightsDumpDirectory: URL?

    let data: DataConfig
    /// The checkpoint to resume from, when resuming.
    let resumeCheckpoint: URL?
    var epochs: Int
    var startEpoch = 0
    var bestFitness: Double?
    var fitness: Double?
    var stopper: EarlyStopping
    var metrics: [(String, Double)] = []
    let csv: ResultsCSV
    let trainStart = Date()

    // Set up by `setup()`.
    var model: YOLONetwork!
    var ema: ModelEMA!
    var optimizer: Optimizer!
    var optimizerChoice: OptimizerChoice!
    var loss: PoseLoss!
    var trainLoader: TrainLoader!
    /// Background threads preparing training batches: the requested `workers`, at most the CPU count.
    var loaderWorkers = 1
    /// Loaders of the simulated ranks 1 ..< simulatedRanks.
    var simulatedLoaders: [TrainLoader] = []
    var imgsz = 640
    var batchSize = 16
    /// Images per batch on each rank (`batch` split across the ranks).
    var rankBatch = 16
    var accumulate = 1
    var freezeNames: [String] = []
    var schedule: LearningRateSchedule!
    var resumeState: ResumeState?
    /// Images in the validation split (for the start-up line).
    var valImageCount = 0
    /// The reference's validation-plots flag during training: cleared by the first validation that is neither the
    /// last epoch nor a possible early stop, and never set again.
    var valPlots = true
    /// Training-batch plots are drawn here while training goes on; `train()` waits for them at the end.
    let plotQueue = DispatchQueue(label: "yolo.train.plots")
    let plotGroup = DispatchGroup()

    /// Prepares a run from the user's arguments (`overrides`, in the order given) over the reference's defaults:
    /// resolves `resume`, the run folder (created, with args.yaml) and the dataset.
    public init(defaults: [(key: String, value: ConfigNode)], overrides: [(key: String, value: ConfigNode)],
                log: ((String) -> Void)? = nil, communicator: Communicator? = nil) throws {
        self.communicator = try communicator ?? Distributed.world()
        if let log { self.log = log }
        if self.communicator.rank != 0 {
            // Ranks above 0 print errors only, as the reference's logger does on them.
            self.log = { _ in }
            Log.enabled = false
        }
        var args = TrainArguments(defaults)
        for (k, v) in overrides { args[k] = v }
        args["task"] = .string("pose")
        args["mode"] = .string("train")
        let resolved = try Trainer.resolveResume(args: args, overrides: overrides, log: self.log)
        args = resolved.args
        resumeCheckpoint = resolved.checkpoint
        try Trainer.checkArguments(args)
        try Trainer.checkSupported(args, log: self.log)

        // Run folder: a resumed run keeps its save_dir; rank 0 picks it and tells the others.
        var folder: URL
        if let dir = args.string("save_dir"), !dir.isEmpty, resumeCheckpoint != nil {
            folder = URL(fileURLWithPath: dir)
        } else {
            folder = SaveDirectory.make(task: "pose", mode: "train", project: args.string("project"),
                                        name: args.string("name"), existOk: args.bool("exist_ok"))
        }
        folder = URL(fileURLWithPath: try self.communicator.broadcast(folder.path))
        saveDir = folder
        args["name"] = .string(saveDir.lastPathComponent)
        csv = ResultsCSV(url: saveDir.appendingPathComponent("results.csv"))
        guard let dataPath = args.string("data") else {
            throw TrainError.invalidArgument(key: "data", value: "None", reason: "a dataset YAML is required, e.g. data=coco8-pose.yaml")
        }
        var data = try DataConfig.load(dataPath)
        for w in data.warnings { self.log(w) }
        if args.bool("single_cls") {
            self.log("Overriding class names with single class.")
            data.names = [0: "item"]
            data.nc = 1
        }
        self.data = data
        epochs = args.int("epochs") ?? 100
        stopper = EarlyStopping(patience: args.int("patience") ?? 100)
        args["save_dir"] = .string(saveDir.path)
        self.args = args
        if self.communicator.isMain {
            try FileManager.default.createDirectory(at: weightsDir, withIntermediateDirectories: true)
            try Data(args.yaml.utf8).write(to: saveDir.appendingPathComponent("args.yaml"), options: .atomic)
        }
        self.log("\u{1B}[34m\u{1B}[1mengine/trainer: \u{1B}[0m" + args.summary)
        // The reference forces dataloader workers to 0 on CPU after saving args.yaml; this build still prepares
        // batches on background threads (the batches do not depend on how many).
        loaderWorkers = max(1, min(args.int("workers") ?? 8, ProcessInfo.processInfo.activeProcessorCount))
        self.args["workers"] = .int(0)
        if self.communicator.isMain, resumeCheckpoint == nil, FileManager.default.fileExists(atPath: csv.url.path) {
            try? FileManager.default.removeItem(at: csv.url)
        }
    }

    /// Checks the values the trainer relies on before anything is written.
    static func checkArguments(_ args: TrainArguments) throws {
        func need(_ key: String, _ ok: (Int) -> Bool, _ reason: String) throws {
            guard let v = args.int(key), ok(v) else {
                throw TrainError.invalidArgument(key: key, value: TrainArguments.pyStr(args[key]), reason: reason)
            }
        }
        if args.isNone("time") { try need("epochs", { $0 >= 1 }, "epochs must be an integer ≥ 1") }
        try need("imgsz", { $0 >= 1 }, "imgsz must be a positive integer")
        if let b = args.double("batch"), b <= 0, b != -1 {
            throw TrainError.invalidArgument(key: "batch", value: TrainArguments.pyStr(args["batch"]),
                                             reason: "batch must be a positive integer (or -1 / a fraction in (0, 1) for AutoBatch)")
        }
        if let n = args.int("nbs"), n < 1 {
            throw TrainError.invalidArgument(key: "nbs", value: String(n), reason: "nbs must be ≥ 1")
        }
    }
}
