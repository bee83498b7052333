import Foundation

/// What an Ultralytics export records in `metadata_props` (export spec §3), decoded the way Ultralytics' backend
/// does: `stride`, `batch`, `channels` as integers; `imgsz`, `names`, `kpt_shape`, `kpt_names`, `args`, `end2end` as
/// Python literals; `end2end` = end2end or args.nms; `dynamic` = args.dynamic.
public struct ONNXMetadata: Sendable {
    /// Every entry as stored, in file order.
    public var entries: [(key: String, value: String)]
    public var task: String?
    public var description: String?
    public var version: String?
    /// Class names by index (empty when the file has none).
    public var names: [Int: String] = [:]
    public var kptShape: [Int]?
    public var kptNames: [Int: [String]]?
    public var stride: Int?
    /// Export input size [h, w].
    public var imgsz: [Int]?
    /// Export batch (1 when absent).
    public var batch = 1
    public var channels = 3
    /// Export arguments (`args`), e.g. `nms`, `dynamic`.
    public var args: [PythonLiteralPair] = []
    /// Embedded NMS: outputs are `[B, max_det, 6 + K·D]` rows.
    public var endToEnd = false
    /// Dynamic input shape export.
    public var dynamic = false

    /// Decodes `entries`. Unparsable values of the literal keys are errors naming the key.
    public init(entries: [(key: String, value: String)]) throws {
        self.entries = entries
        for (k, v) in entries {
            switch k {
            case "task": task = v
            case "description": description = v
            case "version": version = v
            case "stride": stride = try Self.int(k, v)
            case "batch": batch = try Self.int(k, v)
            case "channels": channels = try Self.int(k, v)
            case "imgsz":
                let items = try Self.literal(k, v).elements?.compactMap(\.int)
                guard let items, !items.isEmpty else { throw MetadataError(key: k, value: v) }
                imgsz = items.count == 1 ? [items[0], items[0]] : items
            case "names":
                guard let pairs = try Self.literal(k, v).pairs else { throw MetadataError(key: k, value: v) }
                for p in pairs {
                    guard let i = p.key.int else { throw MetadataError(key: k, value: v) }
                    names[i] = p.value.string ?? p.value.description
                }
            case "kpt_shape":
                guard let items = try Self.literal(k, v).elements?.compactMap(\.int), items.count == 2 else {
                    throw MetadataError(key: k, value: v)
                }
                kptShape = items
            case "kpt_names":
                var table: [Int: [String]] = [:]
                for p in try Self.literal(k, v).pairs ?? [] {
                    if let i = p.key.int { table[i] = p.value.elements?.map { $0.string ?? $0.description } ?? [] }
                }
                kptNames = table
            case "args": args = try Self.literal(k, v).pairs ?? []
            case "end2end": endToEnd = try Self.literal(k, v).isTruthy || endToEnd
            default: break
            }
        }
        if arg("nms")?.isTruthy == true { endToEnd = true }
        dynamic = arg("dynamic")?.isTruthy ?? false
    }

    /// The export argument `key`.
    public func arg(_ key: String) -> PythonLiteral? {
        args.first { $0.key == .string(key) }?.value
    }

    /// The stored string for `key`.
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }

    struct MetadataError: Error {
        let key: String, value: String
    }

    private static func int(_ key: String, _ value: String) throws -> Int {
        guard let v = Int(value.trimmingCharacters(in: .whitespaces)) else { throw MetadataError(key: key, value: value) }
        return v
    }

    private static func literal(_ key: String, _ value: String) throws -> PythonLiteral {
        do { return try PythonLiteral(parsing: value) } catch { throw MetadataError(key: key, value: value) }
    }
}
