import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Writes the (unfused) state dict and the metadata needed to rebuild the model (`yaml`, `names`,
    /// `task`, `stride`, as JSON strings) to a safetensors file, atomically.
    public func saveSafetensors(to url: URL) throws {
        precondition(!isFused, "saveSafetensors: a fused model has no BatchNorm keys; save before fuse()")
        let tensors = stateDict().map { key, t -> (key: String, tensor: StoredTensor) in
            let dtype: TensorDType = key.hasSuffix("num_batches_tracked") ? .int64 : .float32
            return (key, StoredTensor(shape: t.shape, floats: t.toArray(), dtype: dtype))
        }
        let namesNode = ConfigNode.map(names.sorted { $0.key < $1.key }.map { (String($0.key), .string($0.value)) })
        let meta = ["format": "yolov8-swift", "task": task, "yaml": config.raw.json, "names": namesNode.json,
                    "stride": ConfigNode.list(stride.map { .double(Double($0)) }).json]
        try Safetensors.write(tensors, metadata: meta, to: url)
    }

    /// Loads a model written by `saveSafetensors`.
    public convenience init(safetensors url: URL) throws {
        let (tensors, meta) = try Safetensors.read(url)
        guard let yamlText = meta["yaml"] else {
            throw ModelLoadError.metadata(file: url.path, "safetensors file has no 'yaml' metadata (not written by this project?)")
        }
        let node: ConfigNode
        do { node = try ConfigNode.parse(yaml: yamlText) } catch {
            throw ModelLoadError.metadata(file: url.path, "malformed 'yaml' metadata: \(error)")
        }
        let source = node["yaml_file"]?.string ?? url.path
        try self.init(config: ModelConfig(node: node, source: source, scaleHint: ModelConfig.scaleLetter(in: source)),
                      randomWeights: false)  // every parameter is loaded below (strictly)
        try loadStored(Dictionary(tensors.map { ($0.key, $0.tensor) }, uniquingKeysWith: { a, _ in a }), file: url.path)
        if let n = meta["names"], case .map(let items)? = try? ConfigNode.parse(yaml: n) {
            names = Dictionary(items.compactMap { k, v in Int(k).flatMap { i in v.string.map { (i, $0) } } },
                               uniquingKeysWith: { a, _ in a })
        }
        if let s = meta["stride"], let l = (try? ConfigNode.parse(yaml: s))?.list {
            try adoptStoredStride(l.map { Float($0.double ?? .nan) }, file: url.path)
        }
    }
}
