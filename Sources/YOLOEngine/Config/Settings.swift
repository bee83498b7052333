import Foundation

/// The user settings file, as Ultralytics' `SETTINGS` (`yolo settings`), kept under this project's own config folder:
/// `$YOLO_CONFIG_DIR/yolo-swift/settings.json`, else `~/.config/yolo-swift/settings.json` (`/tmp/yolo-swift` when
/// that is not writable). Keys, order and types are the reference's (v0.0.8). Three take effect here: `runs_dir`
/// (where `runs/<task>/<mode>` folders go), `datasets_dir` (where a data YAML's relative `path` is looked up and
/// dataset downloads go) and `weights_dir` (kept for URL weights; official names download into the working folder,
/// as in the reference). The others configure Ultralytics' hub sync and logger integrations, which this build does
/// not have; setting them says so.
public struct Settings: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
    }

    /// Keys in the reference's order.
    public private(set) var items: [(key: String, value: Value)]

    public static func == (a: Settings, b: Settings) -> Bool {
        a.items.map(\.key) == b.items.map(\.key) && zip(a.items, b.items).allSatisfy { $0.value == $1.value }
    }

    public static let version = "0.0.8"
    /// Keys stored for compatibility that configure services this build does not have.
    public static let inactiveKeys: Set<String> = ["sync", "api_key", "openai_api_key", "clearml", "comet", "dvc", "mlflow",
                                                   "raytune", "tensorboard", "wandb", "vscode_msg", "openvino_msg"]

    /// The reference's defaults; `datasets_dir` is `datasets` beside the git root (when its parent is writable) or
    /// in the working folder.
    public static func defaults() -> Settings {
        let fm = FileManager.default
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath)
        var root = cwd
        var dir = cwd
        while dir.path != "/" {
            if fm.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                let parent = dir.deletingLastPathComponent()
                root = fm.isWritableFile(atPath: parent.path) ? parent : dir
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return Settings(items: [
            ("settings_version", .string(version)),
            ("datasets_dir", .string(root.appendingPathComponent("datasets").path)),
            ("weights_dir", .string("weights")), ("runs_dir", .string("runs")),
            ("uuid", .string(bytes.map { String(format: "%02x", $0) }.joined())),
            ("sync", .bool(true)), ("api_key", .string("")), ("openai_api_key", .string("")),
            ("clearml", .bool(true)), ("comet", .bool(true)), ("dvc", .bool(true)), ("mlflow", .bool(true)),
            ("raytune", .bool(true)), ("tensorboard", .bool(false)), ("wandb", .bool(false)),
            ("vscode_msg", .bool(true)), ("openvino_msg", .bool(true)),
        ])
    }

    /// `…/yolo-swift/settings.json`.
    public static var file: URL {
        let env = ProcessInfo.processInfo.environment
        let base: URL
        if let d = env["YOLO_CONFIG_DIR"], !d.isEmpty {
            base = URL(fileURLWithPath: d)
        } else {
            let home = URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".config")
            base = FileManager.default.isWritableFile(atPath: home.path) || !FileManager.default.fileExists(atPath: home.path)
                ? home : URL(fileURLWithPath: "/tmp")
        }
        return base.appendingPathComponent("yolo-swift/settings.json")
    }

    /// The settings in effect: the file's values over the defaults (the file is not created by reading).
    public static var current: Settings { (try? load()) ?? defaults() }

    /// Reads the settings file; keys it lacks take their defaults, unknown keys are dropped.
    public static func load(from url: URL = file) throws -> Settings {
        var s = defaults()
        guard FileManager.default.fileExists(atPath: url.path) else { return s }
        let data = try Data(contentsOf: url)
        guard let dict = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SettingsError.malformed(file: url.path)
        }
        for (i, item) in s.items.enumerated() {
            switch (item.value, dict[item.key]) {
            case (.string, let v as String): s.items[i].value = .string(v)
            case (.bool, let v as NSNumber) where String(cString: v.objCType) == "c" || v == 0 || v == 1:
                s.items[i].value = .bool(v.boolValue)
            default: break
            }
        }
        return s
    }

    /// Writes the settings atomically, creating the folder.
    public func save(to url: URL = Settings.file) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(json.utf8).write(to: url, options: .atomic)
    }

    public subscript(key: String) -> Value? { items.first { $0.key == key }?.value }

    public func string(_ key: String) -> String? { if case .string(let s)? = self[key] { return s }; return nil }

    /// Sets `key` from a CLI value: unknown keys and wrong types throw the reference's errors.
    public mutating func set(_ key: String, _ text: String) throws {
        guard let i = items.firstIndex(where: { $0.key == key }) else {
            throw SettingsError.unknownKey(key, similar: SimilarKeys.closeMatches(key, among: items.map(\.key)))
        }
        switch items[i].value {
        case .string: items[i].value = .string(text)
        case .bool:
            switch text {
            case "True", "true": items[i].value = .bool(true)
            case "False", "false": items[i].value = .bool(false)
            default: throw SettingsError.wrongType(key: key, expected: "bool", got: Self.pythonTypeName(text))
            }
        }
    }

    /// The Python type the reference's CLI would make of `text` (for the type error).
    static func pythonTypeName(_ text: String) -> String {
        if Int(text) != nil { return "int" }
        if Double(text) != nil { return "float" }
        if text == "None" || text == "none" { return "NoneType" }
        return "str"
    }

    /// Pretty JSON in key order (two-space indent), as the reference prints and stores it.
    public var json: String {
        let body = items.map { item -> String in
            let v: String
            switch item.value {
            case .string(let s): v = pythonJSONString(s)
            case .bool(let b): v = b ? "true" : "false"
            }
            return "  \(pythonJSONString(item.key)): \(v)"
        }
        return "{\n" + body.joined(separator: ",\n") + "\n}"
    }

    /// `runs_dir` as a path (relative values are taken from the working folder).
    public var runsDir: String {
        let r = string("runs_dir") ?? "runs"
        return r.hasPrefix("/") ? r : FileManager.default.currentDirectoryPath + "/" + r
    }

    /// `datasets_dir` as a folder URL.
    public var datasetsDir: URL {
        let d = (string("datasets_dir").map { ($0 as NSString).expandingTildeInPath }) ?? "datasets"
        return d.hasPrefix("/") ? URL(fileURLWithPath: d, isDirectory: true)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(d, isDirectory: true)
    }
}

/// Errors of the settings file and `yolo settings key=value`.
public enum SettingsError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String, similar: [String])
    case wrongType(key: String, expected: String, got: String)
    case malformed(file: String)

    public var description: String {
        switch self {
        case .unknownKey(let k, let similar):
            return "'\(k)' is not a valid YOLO argument." + (similar.isEmpty ? "" : " Similar arguments are i.e. [" + similar.map { "'\($0)'" }.joined(separator: ", ") + "].")
        case .wrongType(let k, let expected, let got):
            return "Ultralytics setting '\(k)' must be '\(expected)' type, not '\(got)'."
        case .malformed(let f): return "settings file \(f) is not a JSON object"
        }
    }
}
