import Foundation
import YOLOEngine
import YOLOModel

/// The metadata dictionary every format embeds (spec export.md §3.1), in the reference's key order, with its
/// serialisations (§3.2): ONNX `metadata_props` (Python `str()` of each value), JSON (TorchScript/MNN) and YAML
/// (`metadata.yaml` in folder formats).
public struct ExportMetadata: Sendable, Equatable {
    /// Keys and values, in order.
    public var entries: [(key: String, value: MetadataValue)]

    public static func == (a: ExportMetadata, b: ExportMetadata) -> Bool {
        a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    /// The reference's package version recorded in exports.
    public static let ultralyticsVersion = "8.4.190"

    /// Builds the dictionary for exporting `network` with `arguments` (already validated) to `format`.
    /// - Parameters:
    ///   - imageSize: `[h, w]` after rounding.
    ///   - date: the export time (local time zone, as `datetime.now().astimezone()`).
    public init(network: YOLONetwork, format: ExportFormat, arguments: ExportArguments, imageSize: [Int],
                sourceStem: String, date: Date = Date()) {
        let trainData = network.args["data"]?.string ?? ""
        let description = "Ultralytics \(ExportMetadata.prettyName(network, sourceStem: sourceStem)) model "
            + (trainData.isEmpty ? "" : "trained on \(trainData)")
        let argKeys = DefaultConfig.keys.filter { format.arguments.contains($0) }
        var e: [(String, MetadataValue)] = [
            ("description", .string(description)),
            ("author", .string("Ultralytics")),
            ("date", .string(ExportMetadata.isoDate(date))),
            ("version", .string(ExportMetadata.ultralyticsVersion)),
            ("license", .string("AGPL-3.0 License (https://ultralytics.com/license)")),
            ("docs", .string("https://docs.ultralytics.com")),
            ("stride", .int(Int(network.stride.max() ?? 32))),
            ("task", .string(network.task)),
            ("head", .string(network.kptShape == nil ? "Detect" : "Pose")),
            ("batch", .int(arguments.batch)),
            ("imgsz", .list(imageSize.map { .int($0) })),
            ("names", .dict(network.names.sorted { $0.key < $1.key }.map { MetadataPair(key: .int($0.key), value: .string($0.value)) })),
            ("args", .dict(argKeys.map { ($0, arguments.metadataValue($0)) })),
            ("channels", .int(network.config.channels)),
            ("end2end", .bool(false)),
        ]
        if let kpt = network.kptShape {
            e.append(("kpt_shape", .list(kpt.map { .int($0) })))
            if let names = network.kptNames {
                e.append(("kpt_names", .dict(names.sorted { $0.key < $1.key }.map {
                    MetadataPair(key: .int($0.key), value: .list($0.value.map { .string($0) }))
                })))
            }
        }
        entries = e.map { (key: $0.0, value: $0.1) }
    }

    /// The value for `key`.
    public subscript(key: String) -> MetadataValue? { entries.first { $0.key == key }?.value }

    /// As one dict value.
    public var dictionary: MetadataValue { .dict(entries.map { ($0.key, $0.value) }) }

    /// ONNX `metadata_props`: key and Python `str(value)`.
    public var stringProperties: [(key: String, value: String)] { entries.map { ($0.key, $0.value.pythonStr) } }

    /// One-line JSON (`json.dumps`), as TorchScript's `extra/config.txt` and MNN's `bizCode` hold it.
    public var json: String { dictionary.json }

    /// The `metadata.yaml` document.
    public var yaml: String { MetadataYAMLWriter.document(dictionary) }

    /// `YOLOv8n-pose` from the definition file (`yolo` → `YOLO`), else the weights' stem.
    static func prettyName(_ network: YOLONetwork, sourceStem: String) -> String {
        let source = network.config.source
        let stem = source.isEmpty ? sourceStem : ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        return stem.replacingOccurrences(of: "yolo", with: "YOLO")
    }

    /// `2026-11-27T12:20:02.578525+00:00`: local time with microseconds and the UTC offset.
    static func isoDate(_ date: Date) -> String {
        let tz = TimeZone.current
        let offset = tz.secondsFromGMT(for: date)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let micro = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) % 1_000_000
        let a = abs(offset)
        let fraction = micro == 0 ? "" : String(format: ".%06d", micro)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            + fraction + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", a / 3600, (a % 3600) / 60)
    }
}
