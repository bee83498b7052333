import Foundation

/// A parsed data YAML as a generic tree. YOLOData has no YAML parser; the caller (YOLOModel's Yams bridge, or a test)
/// builds this. Map keys are strings: integer keys such as `names: {0: person}` arrive as `"0"`.
public indirect enum DataNode: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([DataNode])
    case map([(String, DataNode)])

    /// Value of `key` in a map (first match), nil otherwise.
    public subscript(key: String) -> DataNode? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.0 == key }?.1
    }

    var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Short type name for error messages.
    var typeName: String {
        switch self {
        case .none: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .map: return "dict"
        }
    }

    var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// Scalars as text (as Python's `str()` would print them).
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .int(let v): return String(v)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "True" : "False"
        default: return nil
        }
    }
}

/// A data YAML problem. The description names the YAML file and the key.
public struct DataConfigError: Error, CustomStringConvertible, LocalizedError {
    public let file: String
    public let key: String
    public let message: String
    public var description: String { "Dataset '\(file)' error ❌ '\(key)': \(message)" }
    public var errorDescription: String? { description }

    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }
}

/// A pose dataset description (data YAML, §1.1 of the spec), with the split entries resolved to absolute paths.
public struct DataConfig: Sendable {
    /// Most classes a dataset may declare through `nc` alone (the model builder's own limit).
    public static let maxClasses = 100_000

    /// The YAML file it came from.
    public var yamlURL: URL
    /// Dataset root: `path`, or the YAML's folder when absent; relative paths resolve against the current directory,
    /// then against `datasetsDir`.
    public var path: URL
    /// Absolute split entries (image folders, `.txt` lists or image files). `test` is empty when absent.
    public var train: [String]
    public var val: [String]
    public var test: [String]
    /// `[K, D]`, K > 0, D ∈ {2, 3}.
    public var kptShape: [Int]
    /// Left/right keypoint permutation (length K), nil when absent (flips must then be disabled).
    public var flipIdx: [Int]?
    public var names: [Int: String]
    public var nc: Int
    /// K positive per-dataset OKS sigmas, nil when absent.
    public var kptOksSigmas: [Float]?
    /// Keypoint names per class, nil when absent (the default is "0"…"K-1").
    public var kptNames: [Int: [String]]?
    public var channels: Int
    public var download: String?
    /// Every `download` source: the single value, or each entry when the YAML gives a list.
    public var downloads: [String]
    /// Warnings raised while reading (e.g. `validation` renamed to `val`, missing `flip_idx`).
    public var warnings: [String]

    public var keypointCount: Int { kptShape[0] }
    public var keypointDims: Int { kptShape[1] }

    /// Entries of a split by name ("train", "val", "test").
    public func split(_ name: String) -> [String] {
        switch name {
        case "train": return train
        case "test": return test
        default: return val
        }
    }

    /// - Parameters:
    ///   - node: the parsed YAML (a map).
    ///   - yamlURL: the file it came from (used for the default root and in error messages).
    ///   - datasetsDir: Ultralytics' `datasets_dir` setting; defaults to `./datasets`.
    public init(node: DataNode, yamlURL: URL, datasetsDir: URL? = nil) throws {
        let file = yamlURL.lastPathComponent
        func fail(_ key: String, _ message: String) -> DataConfigError {
            DataConfigError(file: yamlURL.path, key: key, message: message)
        }
        guard case .map(var entries) = node else {
            throw fail("<root>", "expected a mapping at the top level, got \(node.typeName)")
        }
        var warnings: [String] = []
        if entries.contains(where: { $0.0 == "validation" }) && !entries.contains(where: { $0.0 == "val" }) {
            if let i = entries.firstIndex(where: { $0.0 == "validation" }) { entries[i].0 = "val" }
            warnings.append("WARNING ⚠️ renaming data YAML 'validation' key to 'val' to match YOLO format.")
        }
        let root = DataNode.map(entries)
        func value(_ key: String) -> DataNode? {
            guard let v = root[key], !v.isNone else { return nil }
            return v
        }

        // Type checks.
        if let p = value("path"), case .string = p {} else if let p = value("path") {
            throw fail("path", "must be a str, got \(p.typeName)")
        }
        for key in ["train", "val", "test"] {
            guard let v = value(key) else { continue }
            switch v {
            case .string, .list: break
            default: throw fail(key, "must be a str or list, got \(v.typeName)")
            }
        }
        guard value("val") != nil else {
            throw fail("val", "'val:' key missing ❌. 'train' and 'val' are required in all data YAMLs (\(file)).")
        }

        // Names / nc.
        var names: [Int: String] = [:]
        if let n = value("names") {
            switch n {
            case .list(let items):
                for (i, item) in items.enumerated() { names[i] = item.scalarText ?? "\(i)" }
            case .map(let pairs):
                for (k, v) in pairs {
                    guard let idx = Int(k.trimmingCharacters(in: .whitespaces)) else {
                        throw fail("names", "class index '\(k)' is not an integer")
                    }
                    names[idx] = v.scalarText ?? k
                }
            default:
                throw fail("names", "must be a list or dict, got \(n.typeName)")
            }
            if let ncNode = value("nc") {
                guard let nc = ncNode.intValue else { throw fail("nc", "must be an int") }
                if nc != names.count {
                    throw fail("nc", "\(nc) does not match the \(names.count) names (nc must equal len(names))")
                }
            }
        } else if let ncNode = value("nc") {
            guard let nc = ncNode.intValue, nc >= 0 else { throw fail("nc", "must be a non-negative int") }
            guard nc <= Self.maxClasses else {
                throw fail("nc", "\(nc) classes is more than this build supports (\(Self.maxClasses)); give 'names' or a smaller nc")
            }
            for i in 0..<nc { names[i] = "class_\(i)" }
        } else {
            throw fail("names", "'names' or 'nc' is required in all data YAMLs")
        }
        if let bad = names.keys.filter({ !(0..<names.count).contains($0) }).sorted().first {
            throw fail("names", "\(names.count)-class dataset requires class indices 0-\(names.count - 1), but you have invalid class index \(bad) defined in your dataset YAML")
        }
        self.names = names
        self.nc = names.count

        // Keypoints.
        guard let ks = value("kpt_shape") else {
            throw fail("kpt_shape", "missing; pose datasets need kpt_shape: [K, D]")
        }
        guard case .list(let ksItems) = ks else { throw fail("kpt_shape", "must be a list [K, D], got \(ks.typeName)") }
        let kptShape = ksItems.compactMap(\.intValue)
        guard kptShape.count == 2, ksItems.count == 2, kptShape[0] > 0, kptShape[1] == 2 || kptShape[1] == 3 else {
            throw fail("kpt_shape", "invalid \(ksItems.map { $0.scalarText ?? $0.typeName }); expected [K, D] with K > 0 and D ∈ {2, 3}")
        }
        self.kptShape = kptShape
        let k = kptShape[0]
        if let f = value("flip_idx") {
            guard case .list(let items) = f else { throw fail("flip_idx", "must be a list, got \(f.typeName)") }
            let idx = items.compactMap(\.intValue)
            guard idx.count == items.count else { throw fail("flip_idx", "entries must be integers") }
            guard idx.count == k else {
                throw fail("flip_idx", "length \(idx.count) must be the same as kpt_shape[0] = \(k)")
            }
            guard idx.allSatisfy({ (0..<k).contains($0) }) else {
                throw fail("flip_idx", "entries must be in 0..<\(k)")
            }
            flipIdx = idx
        } else {
            flipIdx = nil
        }
        if let s = value("kpt_oks_sigmas") {
            guard case .list(let items) = s else { throw fail("kpt_oks_sigmas", "must be a list, got \(s.typeName)") }
            let vals = items.compactMap(\.doubleValue)
            guard vals.count == items.count, vals.count == k else {
                throw fail("kpt_oks_sigmas", "must contain exactly \(k) numbers (kpt_shape[0]), got \(items.count)")
            }
            guard vals.allSatisfy({ $0 > 0 }) else { throw fail("kpt_oks_sigmas", "all values must be positive") }
            kptOksSigmas = vals.map { Float($0) }
        } else {
            kptOksSigmas = nil
        }
        if let kn = value("kpt_names") {
            guard case .map(let pairs) = kn else { throw fail("kpt_names", "must be a dict {cls: [names]}") }
            var out: [Int: [String]] = [:]
            for (key, v) in pairs {
                guard let c = Int(key.trimmingCharacters(in: .whitespaces)) else {
                    throw fail("kpt_names", "class key '\(key)' is not an integer")
                }
                guard case .list(let items) = v else { throw fail("kpt_names", "class \(c) must map to a list") }
                out[c] = items.map { $0.scalarText ?? "" }
            }
            kptNames = out
        } else {
            kptNames = nil
        }
        if let c = value("channels") {
            guard let ch = c.intValue, ch > 0 else { throw fail("channels", "must be a positive int") }
            channels = ch
        } else {
            channels = 3
        }
        download = value("download")?.scalarText
        if case .list(let items)? = value("download") {
            downloads = items.compactMap(\.scalarText)
        } else {
            downloads = download.map { [$0] } ?? []
        }

        // Root and splits.
        let fm = FileManager.default
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true)
        var rootURL: URL
        if case .string(let p)? = value("path"), !p.isEmpty {
            let expanded = (p as NSString).expandingTildeInPath
            if expanded.hasPrefix("/") {
                rootURL = URL(fileURLWithPath: expanded, isDirectory: true)
            } else {
                rootURL = URL(fileURLWithPath: expanded, isDirectory: true, relativeTo: cwd).absoluteURL
                if !fm.fileExists(atPath: rootURL.path) {
                    let base = datasetsDir ?? cwd.appendingPathComponent("datasets", isDirectory: true)
                    rootURL = base.appendingPathComponent(expanded, isDirectory: true)
                }
            }
        } else {
            rootURL = yamlURL.deletingLastPathComponent()
        }
        rootURL = rootURL.standardizedFileURL
        self.path = rootURL
        func resolve(_ key: String) throws -> [String] {
            guard let v = value(key) else { return [] }
            let raw: [String]
            switch v {
            case .string(let s): raw = s.isEmpty ? [] : [s]
            case .list(let items):
                raw = try items.map {
                    guard let s = $0.scalarText else { throw fail(key, "list entries must be strings") }
                    return s
                }
            default: raw = []
            }
            return raw.map { entry -> String in
                let e = (entry as NSString).expandingTildeInPath
                func join(_ s: String) -> String {
                    s.hasPrefix("/") ? URL(fileURLWithPath: s).standardizedFileURL.path
                        : rootURL.appendingPathComponent(s).standardizedFileURL.path
                }
                let p = join(e)
                if !fm.fileExists(atPath: p) && e.hasPrefix("../") { return join(String(e.dropFirst(3))) }
                return p
            }
        }
        train = try resolve("train")
        val = try resolve("val")
        test = try resolve("test")
        if flipIdx == nil {
            warnings.append("WARNING ⚠️ No 'flip_idx' array defined in data YAML, disabling 'fliplr' and 'flipud' augmentations.")
        }
        self.warnings = warnings
        self.yamlURL = yamlURL
    }
}
