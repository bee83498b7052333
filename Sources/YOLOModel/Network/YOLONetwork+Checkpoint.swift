import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Loads a model the way `YOLO(name)` does: an Ultralytics `.pt` checkpoint, this project's
    /// `.safetensors`, or a model `.yaml` (fresh random weights). Official names such as `yolov8n-pose.pt`
    /// that are not on disk are downloaded from the Ultralytics release assets.
    public static func load(_ nameOrPath: String, task: String? = nil) throws -> YOLONetwork {
        let ext = (nameOrPath as NSString).pathExtension.lowercased()
        let net: YOLONetwork
        switch ext {
        case "yaml", "yml":
            net = try YOLONetwork(config: ModelConfig.load(nameOrPath))
        case "pt":
            let path = try WeightsDownloader.resolve(nameOrPath)
            net = try YOLONetwork(checkpoint: UltralyticsCheckpoint(contentsOf: URL(fileURLWithPath: path)))
        case "safetensors":
            net = try YOLONetwork(safetensors: URL(fileURLWithPath: nameOrPath))
        default:
            throw ModelLoadError.unsupportedFormat(file: nameOrPath)
        }
        net.sourcePath = nameOrPath
        if let task, task != net.task {
            throw ModelLoadError.wrongTask(file: nameOrPath, expected: task, found: net.task)
        }
        return net
    }

    /// Builds the network from the `yaml` pickled in an Ultralytics checkpoint and loads its weights
    /// (the EMA weights when present, as Ultralytics does), strictly.
    public convenience init(checkpoint ckpt: UltralyticsCheckpoint) throws {
        let file = ckpt.url.path
        let found = ckpt.task ?? ckpt.modelClass
        guard found == "pose" || found == "detect" else {
            throw ModelLoadError.wrongTask(file: file, expected: "pose", found: found)
        }
        guard let yaml = ckpt.yaml, case .dict = yaml else {
            throw ModelLoadError.metadata(file: file, "checkpoint model has no 'yaml' definition")
        }
        let node = ConfigNode(pickle: yaml)
        let source = node["yaml_file"]?.string ?? file
        let config: ModelConfig
        do { config = try ModelConfig(node: node, source: source, scaleHint: ModelConfig.scaleLetter(in: source)) }
        catch let e as ModelConfigError { throw ModelLoadError.metadata(file: file, "\(e)") }
        try self.init(config: config, randomWeights: false)  // every parameter is loaded below (strictly)
        let dict = Dictionary(ckpt.stateDict.map { ($0.key, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        try loadStored(dict, file: file)
        if !ckpt.names.isEmpty { names = ckpt.names }
        try adoptStoredStride(ckpt.stride, file: file)
        args = ckpt.trainArgs.mapValues(ConfigNode.init(pickle:))
        if let pairs = ckpt.model["kpt_names"]?.dictValue {
            var table: [Int: [String]] = [:]
            for (k, v) in pairs {
                guard let c = k.intValue, let items = v.arrayValue else { continue }
                table[c] = items.map { $0.stringValue ?? "\($0)" }
            }
            kptNames = table
        }
        argsOrder = (ckpt.root["train_args"]?.dictValue ?? ckpt.model["args"]?.dictValue
            ?? ckpt.model["args"]?.objectValue?.attributes ?? []).compactMap { $0.0.stringValue }
    }

    /// Copies stored tensors into the parameters by state-dict key (strict; errors name key and shapes).
    func loadStored(_ dict: [String: StoredTensor], file: String) throws {
        do {
            try loadStateDict(dict.mapValues { t in
                (shape: t.shape, fill: { dst in
                    let v = t.floats()
                    for i in 0..<min(v.count, dst.count) { dst[i] = v[i] }
                })
            })
        } catch let e as StateDictError {
            throw ModelLoadError.weights(file: file, e)
        }
    }
}

extension YOLONetwork {
    /// Takes the strides stored beside the weights when they are the ones the architecture produces; anything else
    /// (zero, negative, NaN, another count) would break every later division by the stride, so it is refused.
    func adoptStoredStride(_ stored: [Float], file: String) throws {
        guard !stored.isEmpty else { return }
        guard stored == head.stride else {
            throw ModelLoadError.metadata(
                file: file, "stored stride \(stored) does not match the architecture's \(head.stride)")
        }
    }
}
