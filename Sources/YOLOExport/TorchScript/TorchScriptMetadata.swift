import Foundation
import YOLOFormats
import YOLOModel

/// The metadata dictionary Ultralytics writes into every export (spec §3.1), in its key order, as typed values.
/// For TorchScript it is stored as one line of JSON in the archive entry `extra/config.txt` (see `json`).
public struct TorchScriptMetadata {
    /// A JSON-representable Python value (the exporter's `MetadataValue`, whose `json` is `json.dumps`).
    public typealias Value = MetadataValue

    /// One key and its value.
    public struct Entry: Equatable {
        public var key: String
        public var value: Value
        public init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// One line of JSON as Python's `json.dumps(metadata)` writes it (see `MetadataValue.json`).
    public var json: String { Self.object(entries).json }

    /// A dict value with string keys in `entries` order.
    public static func object(_ entries: [Entry]) -> Value { .dict(entries.map { ($0.key, $0.value) }) }

    /// The value of `key`, if present.
    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append(Entry(key, newValue))
            }
        }
    }

    /// The reference's metadata for a TorchScript export of `network`:
    /// description, author, date, version, license, docs, stride, task, head, batch, imgsz, names,
    /// args (batch, quantize, nms, dynamic), channels, end2end, then kpt_shape and kpt_names for pose.
    /// - Parameters:
    ///   - kptNames: the checkpoint's `kpt_names` (the key is written only when the checkpoint has them; see
    ///     `kptNames(in:)`).
    ///   - date: the export time (written as `datetime.now().astimezone().isoformat()`).
    public init(network: YOLONetwork, options: TorchScriptExportOptions, kptNames: [Int: [String]]? = nil, date: Date = Date()) {
        let stem = ((network.config.source as NSString).lastPathComponent as NSString).deletingPathExtension
        let pretty = stem.replacingOccurrences(of: "yolo", with: "YOLO")
        var description = "Ultralytics \(pretty) model "
        if let data = network.args["data"], data.isTruthy, let text = Self.pythonString(data) {
            description += "trained on \(text)"
        }
        let quantize: Value = options.quantize.map { q in Int(q).map(Value.int) ?? .string(q) } ?? .none
        var entries: [Entry] = [
            Entry("description", .string(description)),
            Entry("author", .string("Ultralytics")),
            Entry("date", .string(UltralyticsCheckpointContents.timestamp(date))),
            Entry("version", .string(UltralyticsCheckpointContents.defaultVersion)),
            Entry("license", .string("AGPL-3.0 License (https://ultralytics.com/license)")),
            Entry("docs", .string("https://docs.ultralytics.com")),
            Entry("stride", .int(Int(network.stride.max() ?? 32))),
            Entry("task", .string(network.task)),
            Entry("head", .string(network.kptShape == nil ? "Detect" : "Pose")),
            Entry("batch", .int(options.batch)),
            Entry("imgsz", .list([.int(options.size.height), .int(options.size.width)])),
            Entry("names", Self.object(network.names.sorted { $0.key < $1.key }.map { Entry(String($0.key), .string($0.value)) })),
            Entry("args", Self.object([
                Entry("batch", .int(options.batch)),
                Entry("quantize", quantize),
                Entry("nms", options.nms.map(Value.bool) ?? .none),
                Entry("dynamic", .bool(options.dynamic)),
            ])),
            Entry("channels", .int(network.config.channels)),
            Entry("end2end", .bool(false)),
        ]
        if let kpt = network.kptShape {
            entries.append(Entry("kpt_shape", .list(kpt.map(Value.int))))
            if let kptNames {
                entries.append(Entry("kpt_names", Self.object(kptNames.sorted { $0.key < $1.key }.map {
                    Entry(String($0.key), .list($0.value.map(Value.string)))
                })))
            }
        }
        self.entries = entries
    }

    /// The `kpt_names` attribute of a checkpoint's model, when it has one.
    public static func kptNames(in checkpoint: UltralyticsCheckpoint) -> [Int: [String]]? {
        guard let items = checkpoint.model["kpt_names"]?.dictValue else { return nil }
        var out: [Int: [String]] = [:]
        for (k, v) in items {
            guard let key = k.intValue, let names = v.arrayValue else { return nil }
            out[key] = names.map { $0.stringValue ?? "" }
        }
        return out
    }

    /// A configuration value as Python's `str()` shows a data path (strings as is).
    private static func pythonString(_ node: ConfigNode) -> String? {
        switch node {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "True" : "False"
        default: return nil
        }
    }
}
