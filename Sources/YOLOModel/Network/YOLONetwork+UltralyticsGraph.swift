import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// The network as the object Ultralytics 8.4 pickles: `ultralytics.nn.tasks.PoseModel` (or `DetectionModel`)
    /// holding an `nn.Sequential` of Ultralytics layers with every attribute their constructors and the trainer set
    /// (`yaml`, `save`, `names`, `inplace`, `stride`, `kpt_shape`, `nc`, `args`, `kpt_oks_sigmas`, `kpt_names`,
    /// `criterion`; per layer `np`, `i`, `f`, `type`), so `torch.load` rebuilds a model that runs in Ultralytics.
    /// - Parameter args: `model.args` (the training arguments), in order.
    /// - Throws: `CheckpointWriteError` for a fused network or a non-float weight type.
    public func ultralyticsModelTerm(args: [(String, PickleTerm)], format: UltralyticsModelFormat = .init(),
                                     file: String = "checkpoint") throws -> PickleTerm {
        guard !isFused else { throw CheckpointWriteError.fusedNetwork(file: file) }
        guard format.dtype == .float16 || format.dtype == .float32 else {
            throw CheckpointWriteError.unsupportedDType(file: file, format.dtype)
        }
        let terms = TorchModuleTerms(dtype: format.dtype, training: format.training, requiresGrad: format.requiresGrad)
        let rows = (config.raw["backbone"]?.list ?? []) + (config.raw["head"]?.list ?? [])
        var layers: [PickleTerm] = []
        for (i, layer) in model.items.enumerated() {
            let from: PickleTerm
            if i < rows.count, let raw = rows[i].list?.first, raw.int != nil || raw.list != nil {
                from = PickleTerm(config: raw)
            } else {
                let f = config.layers[i].from
                from = f.count == 1 ? .int(f[0]) : .ints(f)
            }
            let (cls, body) = try layerTerm(layer, index: i, terms: terms, inplace: inplace, file: file)
            let extra: [(String, PickleTerm)] = [("np", .int(layer.parameterCount)), ("i", .int(i)), ("f", from),
                                                 ("type", .string(cls.module + "." + cls.name))]
            // Ultralytics' parse_model sets np/i/f/type; the detection model then sets the head's `inplace`, and
            // moving the model (`_apply`) gives the head its own (empty) anchor and stride caches.
            let attributes = body.base + body.attributes + extra + (body.headTail ?? [])
            layers.append(.instance(PickleInstance(module: cls.module, name: cls.name, attributes: attributes)))
        }
        let isPose = kptShape != nil
        var attributes: [(String, PickleTerm)] = [
            ("yaml", yamlTerm()),
            ("save", .ints(save.sorted())),
            ("names", .dict(names.sorted { $0.key < $1.key }.map { (.int($0.key), .string($0.value)) })),
            ("inplace", .bool(inplace)),
            // The model's stride keeps float32: `half()` converts the head's copy only.
            ("stride", .tensor(StoredTensor(shape: [stride.count], floats: stride, dtype: .float32))),
        ]
        if let kpt = kptShape { attributes.append(("kpt_shape", .ints(kpt))) }
        attributes.append(("nc", .int(nc)))
        let argsDict = PickleTerm.stringDict(args)
        attributes.append(("args", format.argsAsNamespace
            ? .instance(PickleInstance(module: "ultralytics.utils", name: "IterableSimpleNamespace", construction: .call([]),
                                       state: argsDict))
            : argsDict))
        if isPose, let kpt = kptShape {
            attributes.append(("kpt_oks_sigmas", format.kptOksSigmas.map { .list($0.map { .float($0) }) } ?? .none))
            let defaultNames = (0..<kpt[0]).map(String.init)
            let kptNames = format.kptNames ?? Dictionary(uniqueKeysWithValues: (0..<nc).map { ($0, defaultNames) })
            attributes.append(("kpt_names", .dict(kptNames.sorted { $0.key < $1.key }.map {
                (.int($0.key), .list($0.value.map { .string($0) }))
            })))
        }
        attributes.append(("criterion", .none))
        let modelClass = isPose ? "PoseModel" : "DetectionModel"
        return .instance(PickleInstance(
            module: "ultralytics.nn.tasks", name: modelClass,
            attributes: TorchModuleTerms.baseAttributes(training: format.training,
                                                        children: [("model", terms.sequential(layers))]) + attributes))
    }

    /// `yaml.get("inplace", True)` of the model definition.
    var inplace: Bool { config.raw["inplace"].flatMap { $0.int.map { $0 != 0 } } ?? true }

    /// The model definition as Ultralytics stores it: the YAML dict plus the `scale`, `yaml_file` and `channels`
    /// keys its loader adds (when absent), with `nc` and `kpt_shape` as built.
    func yamlTerm() -> PickleTerm {
        guard case .map(var items) = config.raw else { return .none }
        func set(_ key: String, _ value: ConfigNode, onlyIfMissing: Bool) {
            if let i = items.firstIndex(where: { $0.0 == key }) {
                if !onlyIfMissing { items[i].1 = value }
            } else {
                items.append((key, value))
            }
        }
        set("nc", .int(nc), onlyIfMissing: false)
        if let kpt = kptShape, items.contains(where: { $0.0 == "kpt_shape" }) {
            set("kpt_shape", .list(kpt.map { .int($0) }), onlyIfMissing: false)
        }
        set("scale", .string(ModelConfig.scaleLetter(in: config.source) ?? ""), onlyIfMissing: true)
        set("yaml_file", .string(config.source), onlyIfMissing: true)
        set("channels", .int(config.channels), onlyIfMissing: true)
        return PickleTerm(config: .map(items))
    }
}

extension PickleTerm {
    /// A config value as the plain Python value it came from (dicts keep their order; floats stay floats),
    /// e.g. to build `train_args` from parsed configuration values.
    public init(config node: ConfigNode) {
        switch node {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map(PickleTerm.init(config:)))
        case .map(let m): self = .stringDict(m.map { ($0.0, PickleTerm(config: $0.1)) })
        }
    }
}
