import Foundation

/// An Ultralytics checkpoint (`.pt`): the model selected as Ultralytics does (`ema` if truthy, else `model`),
/// flattened to a PyTorch-ordered state dict plus the model's metadata.
public struct UltralyticsCheckpoint: Sendable {
    /// The file that was read.
    public let url: URL
    /// PyTorch `state_dict()` order and keys ("model.0.conv.weight", ...), including BN running stats and
    /// `num_batches_tracked` (int64). Tensors keep their stored dtype (usually float16).
    public let stateDict: [(key: String, tensor: StoredTensor)]
    /// The pickled model class name, e.g. "PoseModel" or "DetectionModel".
    public let modelClass: String
    /// The pickled `task` attribute, else guessed from the class name.
    public let task: String?
    /// The model's `yaml` dict (nc, kpt_shape, scales, backbone, head, scale, yaml_file, ...).
    public let yaml: PickleValue?
    /// Class index → name.
    public let names: [Int: String]
    /// `kpt_shape` of the model (or its yaml), e.g. [17, 3].
    public let kptShape: [Int]?
    /// `model.stride`, or [32] if missing.
    public let stride: [Float]
    /// `ckpt['train_args']` if present, else `model.args` when it is a dict (or a namespace object).
    public let trainArgs: [String: PickleValue]
    /// `ckpt['version']`.
    public let version: String?
    /// `ckpt['date']`.
    public let date: String?
    /// The selected model object (its full pickled attribute tree).
    public let model: PickleObject
    /// The whole decoded top-level checkpoint object.
    public let root: PickleValue

    /// Loads and interprets an Ultralytics `.pt` checkpoint.
    /// - Throws: `CheckpointError` naming the file (and key path where relevant).
    public init(contentsOf url: URL) throws {
        try self.init(torchFile: try TorchFile.load(url))
    }

    /// Interprets an already decoded torch file as an Ultralytics checkpoint.
    public init(torchFile file: TorchFile) throws {
        let name = file.url.checkpointDisplayName
        let root = file.root
        guard case .dict = root else {
            throw CheckpointError.notUltralyticsCheckpoint(
                file: name, detail: "is not an Ultralytics model checkpoint (top-level object is \(root.typeName), not a dict)")
        }
        let model: PickleObject
        if let ema = root["ema"], ema.isTruthy, case .object(let object) = ema {
            model = object
        } else if case .object(let object)? = root["model"] {
            model = object
        } else {
            throw CheckpointError.notUltralyticsCheckpoint(
                file: name, detail: "is not an Ultralytics model checkpoint (no 'model' or 'ema' entry)")
        }
        guard model["_modules"] != nil || model["_parameters"] != nil else {
            throw CheckpointError.notUltralyticsCheckpoint(
                file: name, detail: "is not an Ultralytics model checkpoint (model is \(model.qualifiedName), not an nn.Module)")
        }

        var entries: [(key: String, tensor: StoredTensor)] = []
        try Self.collectStateDict(model, prefix: "", into: &entries, fileName: name, depth: 0)

        self.url = file.url
        self.root = root
        self.model = model
        self.stateDict = entries
        self.modelClass = model.name
        self.task = model["task"]?.stringValue ?? Self.guessTask(className: model.name)
        let yaml = model["yaml"].flatMap { $0.dictValue != nil ? $0 : nil }
        self.yaml = yaml
        self.names = Self.names(model["names"]) ?? Self.defaultNames(nc: model["nc"]?.intValue ?? yaml?["nc"]?.intValue)
        self.kptShape = Self.intList(model["kpt_shape"]) ?? Self.intList(yaml?["kpt_shape"])
        self.stride = Self.floatList(model["stride"]) ?? [32]
        if let args = root["train_args"]?.stringKeyedDictionary {
            self.trainArgs = args
        } else if let args = model["args"]?.stringKeyedDictionary {
            self.trainArgs = args
        } else if let namespace = model["args"]?.objectValue, let args = namespace.state?.stringKeyedDictionary {
            self.trainArgs = args
        } else {
            self.trainArgs = [:]
        }
        self.version = root["version"]?.stringValue
        self.date = root["date"]?.stringValue
    }

    /// The state-dict tensor with this key.
    public func tensor(_ key: String) -> StoredTensor? {
        stateDict.first(where: { $0.key == key })?.tensor
    }

    /// Appends a module's parameters (skipping None), persistent buffers, then its children's entries, recursively.
    static func collectStateDict(_ module: PickleObject, prefix: String, into entries: inout [(key: String, tensor: StoredTensor)],
                                 fileName: String, depth: Int) throws {
        guard depth < 200 else {
            throw CheckpointError.notUltralyticsCheckpoint(file: fileName, detail: "module nesting too deep at '\(prefix)'")
        }
        for (k, v) in module["_parameters"]?.dictValue ?? [] {
            guard let key = k.stringValue else { continue }
            switch v {
            case .tensor(let t): entries.append((prefix + key, t))
            case .none: continue
            default:
                throw CheckpointError.invalidTensor(file: fileName, tensor: prefix + key, detail: "parameter is \(v.typeName), not a tensor")
            }
        }
        let nonPersistent = Set((module["_non_persistent_buffers_set"]?.arrayValue ?? []).compactMap(\.stringValue))
        for (k, v) in module["_buffers"]?.dictValue ?? [] {
            guard let key = k.stringValue, !nonPersistent.contains(key) else { continue }
            switch v {
            case .tensor(let t): entries.append((prefix + key, t))
            case .none: continue
            default:
                throw CheckpointError.invalidTensor(file: fileName, tensor: prefix + key, detail: "buffer is \(v.typeName), not a tensor")
            }
        }
        for (k, v) in module["_modules"]?.dictValue ?? [] {
            guard let key = k.stringValue ?? k.intValue.map(String.init), case .object(let child) = v else { continue }
            try collectStateDict(child, prefix: prefix + key + ".", into: &entries, fileName: fileName, depth: depth + 1)
        }
    }

    /// Ultralytics' task guess from the model class name.
    static func guessTask(className: String) -> String? {
        switch className {
        case "PoseModel": return "pose"
        case "DetectionModel", "WorldModel", "YOLOEModel", "RTDETRDetectionModel": return "detect"
        case "SegmentationModel", "YOLOESegModel": return "segment"
        case "ClassificationModel": return "classify"
        case "OBBModel": return "obb"
        default:
            let lower = className.lowercased()
            if lower.contains("pose") { return "pose" }
            if lower.contains("segment") { return "segment" }
            if lower.contains("classif") { return "classify" }
            if lower.contains("obb") { return "obb" }
            if lower.contains("detect") { return "detect" }
            return nil
        }
    }

    static func names(_ value: PickleValue?) -> [Int: String]? {
        guard let value else { return nil }
        if let items = value.dictValue {
            var out: [Int: String] = [:]
            for (k, v) in items {
                guard let i = k.intValue ?? k.stringValue.flatMap({ Int($0) }) else { continue }
                out[i] = v.stringValue ?? v.intValue.map(String.init) ?? ""
            }
            return out
        }
        if let list = value.arrayValue {
            var out: [Int: String] = [:]
            for (i, v) in list.enumerated() { out[i] = v.stringValue ?? "" }
            return out
        }
        return nil
    }

    static func defaultNames(nc: Int?) -> [Int: String] {
        guard let nc, nc > 0, nc < 100_000 else { return [:] }
        return Dictionary(uniqueKeysWithValues: (0..<nc).map { ($0, String($0)) })
    }

    static func intList(_ value: PickleValue?) -> [Int]? {
        if let t = value?.tensorValue { return t.ints() }
        guard let items = value?.arrayValue else { return nil }
        let ints = items.compactMap(\.intValue)
        return ints.count == items.count ? ints : nil
    }

    static func floatList(_ value: PickleValue?) -> [Float]? {
        if let t = value?.tensorValue { return t.count > 0 ? t.floats() : nil }
        guard let items = value?.arrayValue, !items.isEmpty else { return nil }
        let values = items.compactMap(\.doubleValue)
        return values.count == items.count ? values.map(Float.init) : nil
    }
}
