import Foundation
import YOLOData
import YOLODistributed
import YOLOEngine
import YOLOFormats
import YOLOModel
import YOLONN
import YOLOTensor

extension Trainer {
    /// Builds everything the loop needs (spec §2.2–2.10): model (+ pretrained weights, freezing), imgsz and batch
    /// checks, the train loader, accumulation and decay scaling, the optimizer, the schedule, EMA, the loss and,
    /// when resuming, the saved optimizer/EMA/stopper state.
    func setup() throws {
        precondition(simulatedRanks == 1 || communicator.size == 1, "Trainer: simulatedRanks needs a single process")
        model = try buildModel()
        model.names = data.names
        try broadcastInitialState()
        freezeLayers()
        let gs = max(Int(model.stride.max() ?? 32), 32)
        imgsz = try checkImageSize(gs: gs)
        args["imgsz"] = .int(imgsz)
        try checkDataParallelArguments()
        batchSize = resolveBatch()
        rankBatch = try splitBatch()

        // Rank 0 scans first (and writes the label cache); the others read what it wrote.
        let scan = try communicator.rankZeroFirst { try scanTrainSplit() }
        valImageCount = (try? LabelScanner.imageFiles(data.split(args.string("split") ?? "val")).count) ?? 0
        metrics = zeroMetrics
        trainLoader = try makeTrainLoader(scan: scan, stride: gs, rank: communicator.rank)
        simulatedLoaders = try (1..<simulatedRanks).map { try makeTrainLoader(scan: scan, stride: gs, rank: $0) }
        if let shapes = trainLoader.rectShapes, !shapes.allSatisfy({ $0 == shapes[0] }) {
            Log.warning("'rect=True' is incompatible with DataLoader shuffle, setting shuffle=False")
        }
        let nb = trainLoader.count
        let nbs = args.int("nbs") ?? 64
        accumulate = max(Int((Double(nbs) / Double(batchSize)).rounded(.toNearestOrEven)), 1)
        let decay = (args.double("weight_decay") ?? 0.0005) * Double(batchSize) * Double(accumulate) / Double(nbs)
        if args.isNone("time") { accumulate = min(accumulate, nb * epochs) }
        let iterations = Int((Double(scan.images.count) / Double(max(batchSize, nbs))).rounded(.up)) * epochs
        optimizerChoice = try OptimizerChoice.make(name: args.string("optimizer") ?? "auto", network: model,
                                                   lr: args.double("lr0") ?? 0.01, momentum: args.double("momentum") ?? 0.937,
                                                   decay: decay, iterations: iterations, nc: data.nc)
        optimizer = optimizerChoice.optimizer
        if optimizerChoice.automatic {
            args["optimizer"] = .string(optimizer.kind.rawValue)
            args["lr0"] = .double(optimizerChoice.lr)
            args["warmup_bias_lr"] = .double(0)
        }
        optimizerChoice.log.forEach(log)
        schedule = LearningRateSchedule(epochs: epochs, lrf: args.double("lrf") ?? 0.01, cosine: args.bool("cos_lr"))
        ema = ModelEMA(model)
        let sigmas = try OKS.sigmas(count: data.kptShape[0], dims: data.kptShape[1], override: data.kptOksSigmas)
        loss = PoseLoss(nc: model.nc, kptShape: data.kptShape, regMax: model.head.regMax, strides: model.stride,
                        sigmas: sigmas, gains: LossGains(box: Float(args.double("box") ?? 7.5), pose: Float(args.double("pose") ?? 12),
                                                         kobj: Float(args.double("kobj") ?? 1), cls: Float(args.double("cls") ?? 0.5),
                                                         dfl: Float(args.double("dfl") ?? 1.5)))
        if let state = resumeState { try restore(state) }
    }

    /// The network to train: a YAML (scratch, or `pretrained=<.pt>` transferred), a `.pt` (its architecture, with its
    /// weights unless `pretrained=False`), or the resume checkpoint's EMA weights. The data's `nc` and `kpt_shape`
    /// override the definition's, as the reference's PoseModel does.
    func buildModel() throws -> YOLONetwork {
        let name = args.string("model") ?? "yolov8n-pose.yaml"
        if let ckpt = resumeCheckpoint {
            let file = try TorchFile.load(ckpt)
            resumeState = Trainer.resumeState(file.root)
            let net = try YOLONetwork(checkpoint: UltralyticsCheckpoint(torchFile: file))
            guard net.kptShape == data.kptShape, net.nc == data.nc else {
                throw TrainError.incompatible("\(ckpt.path): the checkpoint's nc=\(net.nc) kpt_shape=\(net.kptShape ?? []) do not match the dataset's nc=\(data.nc) kpt_shape=\(data.kptShape)")
            }
            let start = resumeState!.epoch + 1
            guard start > 0 && start < epochs else {
                throw TrainError.nothingToResume(model: ckpt.path, epochs: epochs)
            }
            log("Resuming training \(ckpt.path) from epoch \(start + 1) to \(epochs) total epochs")
            return net
        }
        let ext = (name as NSString).pathExtension.lowercased()
        var config: ModelConfig
        var weights: [(key: String, tensor: StoredTensor)]?
        var weightNames: [Int: String] = [:]
        if let start = startNetwork {
            config = start.config
            weights = start.stateDict().map { (key: $0.0, tensor: StoredTensor(shape: $0.1.shape, floats: $0.1.toArray())) }
            weightNames = start.names
        } else if ext == "pt" {
            let ckpt = try UltralyticsCheckpoint(contentsOf: URL(fileURLWithPath: try WeightsDownloader.resolve(name)))
            guard let yaml = ckpt.yaml else { throw ModelLoadError.metadata(file: name, "checkpoint model has no 'yaml' definition") }
            let node = ConfigNode(pickle: yaml)
            config = try ModelConfig(node: node, source: node["yaml_file"]?.string ?? name,
                                     scaleHint: ModelConfig.scaleLetter(in: node["yaml_file"]?.string ?? name))
            weights = ckpt.stateDict
            weightNames = ckpt.names
        } else {
            config = try ModelConfig.load(name)
        }
        if config.kptShape == nil { config.kptShape = [17, 3] }
        config = config.overriding(nc: data.nc, kptShape: data.kptShape, log: log)
        let net = try YOLONetwork(config: config, seed: UInt64(max(args.int("seed") ?? 0, 0)))
        switch args["pretrained"] {
        case .string(let path) where path.lowercased() != "true" && path.lowercased() != "false":
            let ckpt = try UltralyticsCheckpoint(contentsOf: URL(fileURLWithPath: try WeightsDownloader.resolve(path)))
            weights = ckpt.stateDict
            weightNames = ckpt.names
        case .bool(false):
            weights = nil
        default: break
        }
        let remapByName = args.bool("cls_remap")
        if let weights {
            // The reference (cls_remap=True) moves class-head rows to the dataset's class order by name when the
            // names differ; this build transfers them by index.
            if remapByName, !weightNames.isEmpty,
               weightNames.mapValues({ $0.lowercased() }) != data.names.mapValues({ $0.lowercased() }),
               Set(weightNames.values.map { $0.lowercased() }).intersection(data.names.values.map { $0.lowercased() }).count > 0 {
                Log.warning("cls_remap: the pretrained class names differ from the dataset's; class-head rows are transferred by index, not remapped by name (not implemented yet; cls_remap=False is the behaviour here)")
            }
            let (n, total) = net.transfer(from: weights)
            log("Transferred \(n)/\(total) items from pretrained weights")
            if n == total, !weightNames.isEmpty { net.names = weightNames }
        }
        return net
    }

    /// Freezes `freeze` (first N layers, or a list of layer indices) and always the DFL, as the reference logs it.
    func freezeLayers() {
        var layers: [Int] = []
        switch args["freeze"] {
        case .int(let n): layers = Array(0..<max(n, 0))
        case .list(let l): layers = l.compactMap(\.int)
        default: break
        }
        freezeNames = layers.map { "model.\($0)." } + [".dfl"]
        for (name, p) in model.allParameters() {
            if freezeNames.contains(where: { name.contains($0) }) {
                log("Freezing layer '\(name)'")
                p.requiresGrad = false
            } else if !p.requiresGrad {
                Log.warning("setting 'requires_grad=True' for frozen layer '\(name)'. See ultralytics.engine.trainer for customization of frozen layers.")
                p.requiresGrad = true
            }
        }
    }

    /// Training mode, with the batch norms of frozen layers kept in inference mode.
    func setTrainMode() {
        model.train()
        for (path, m) in model.namedModules() where m is BatchNorm2d {
            if freezeNames.contains(where: { path.contains($0) }) { m.eval() }
        }
    }

    /// imgsz as one integer rounded up to a multiple of the max stride (at least the stride), with the
    /// reference's warnings.
    func checkImageSize(gs: Int) throws -> Int {
        var size: Int
        switch args["imgsz"] {
        case .list(let l):
            let ints = l.compactMap(\.int)
            guard !ints.isEmpty else { throw TrainError.invalidArgument(key: "imgsz", value: TrainArguments.pyStr(args["imgsz"]), reason: "imgsz must be an integer") }
            Log.warning("'train' and 'val' imgsz must be an integer, while 'predict' and 'export' imgsz may be a [h, w] list or an integer, i.e. 'yolo export imgsz=640,480' or 'yolo export imgsz=640'")
            size = ints.max()!
        default:
            guard let v = args.int("imgsz"), v > 0 else {
                throw TrainError.invalidArgument(key: "imgsz", value: TrainArguments.pyStr(args["imgsz"]), reason: "imgsz must be a positive integer")
            }
            size = v
        }
        let rounded = max(Int((Double(size) / Double(gs)).rounded(.up)) * gs, gs)
        if rounded != size { Log.warning("imgsz=[\(size)] must be multiple of max stride \(gs), updating to [\(rounded)]") }
        return rounded
    }

    /// `batch`, with the reference's AutoBatch rule on a CPU (batch < 1 → its default 16, with its warning).
    func resolveBatch() -> Int {
        let b = args.double("batch") ?? 16
        if b < 1 {
            Log.warning("\u{1B}[34m\u{1B}[1mAutoBatch: \u{1B}[0mintended for GPU devices, using default batch-size 16")
            args["batch"] = .int(16)
            return 16
        }
        return Int(b)
    }

    /// The augmenting train loader from the arguments (augmentation hyperparameters, rect, cache, seed, workers).
    func makeTrainLoader(scan: DatasetScan, stride gs: Int, rank: Int) throws -> TrainLoader {
        var augment = AugmentConfig { self.args.double($0) }
        if case .list(let l) = args["scale"] {
            let r = l.compactMap(\.double)
            guard r.count == 2 else {
                throw TrainError.invalidArgument(key: "scale", value: TrainArguments.pyStr(args["scale"]), reason: "scale must be a number or a [min, max] pair")
            }
            augment.scaleRange = r
        }
        let nb = (scan.images.count + rankBatch - 1) / rankBatch
        return try TrainLoader(scan: scan, imgsz: imgsz, batch: rankBatch, stride: gs,
                               seed: UInt64(max(args.int("seed") ?? 0, 0)), augment: augment,
                               keypointCount: data.kptShape[0], flipIdx: data.flipIdx,
                               rect: args.bool("rect"), cache: ImageCacheMode(argument: TrainArguments.pyStr(args["cache"])),
                               workers: max(1, min(loaderWorkers, nb)),
                               prefix: "\u{1B}[34m\u{1B}[1mtrain: \u{1B}[0m", rank: rank, worldSize: worldSize, log: log)
    }

    /// Scans the train split (label checks and cache as validation does), applying `fraction` and `classes`.
    func scanTrainSplit() throws -> DatasetScan {
        let entries = data.split("train")
        guard !entries.isEmpty else { throw TrainError.noTrainingImages("'\(data.yamlURL.path)' (no 'train' split)") }
        try DatasetDownload.ensure(entries, data: data)
        // fraction: the first max(1, round(N·f)) image files (an int is a count), taken before the scan as the
        // reference takes them from its sorted file list.
        var limit: Int?
        switch args["fraction"] {
        case .int(let n) where n != 1: limit = n   // an int 1 means all, as 1.0
        case .double(let f) where f != 1: limit = max(1, Int((Double(try LabelScanner.imageFiles(entries).count) * f).rounded(.toNearestOrEven)))
        default: break
        }
        var scan = try LabelScanner.scan(imageDirOrList: entries, kptShape: data.kptShape, nc: data.nc,
                                         singleCls: args.bool("single_cls"), limit: limit, log: log)
        log("\u{1B}[34m\u{1B}[1mtrain: \u{1B}[0mScanning \(entries.joined(separator: ", "))... \(scan.summary)")
        if case .list(let l) = args["classes"] {
            let keep = Set(l.compactMap(\.int))
            for i in scan.images.indices { scan.images[i].labels.removeAll { !keep.contains($0.cls) } }
        } else if let c = args.int("classes") {
            for i in scan.images.indices { scan.images[i].labels.removeAll { $0.cls != c } }
        }
        guard !scan.images.isEmpty else { throw TrainError.noTrainingImages(entries.joined(separator: ", ")) }
        return scan
    }
}
