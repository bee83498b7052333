import YOLOEngine
/// Names the grammar knows besides the config keys: tasks, modes, special commands and their aliases.
public enum CLIGrammar {
    /// Task words, as the reference lists them (this build runs pose models only).
    public static let tasks = ["detect", "segment", "semantic", "depth", "classify", "pose", "obb"]
    /// Mode words.
    public static let modes = ["train", "val", "predict", "export", "track", "benchmark"]
    /// The modes this build runs (`CLI.runMode`); the others answer "not available in this build yet".
    public static let implementedModes = ["train", "val", "predict", "export", "track"]
    /// Special commands, which run at once and stop processing. `info` is this build's own addition.
    /// The special commands this build runs (`CLI.runSpecial` and `info`); the others answer "not available".
    public static let implementedSpecials = ["help", "version", "info", "cfg", "copy-cfg", "checks", "settings"]
    public static let specials = ["checks", "version", "settings", "cfg", "login", "logout", "copy-cfg", "solutions", "help", "info"]

    /// Default model when only a task is given (v8 models; the reference defaults to YOLO26).
    public static let taskModels: [String: String] = [
        "detect": "yolov8n.pt", "segment": "yolov8n-seg.pt", "semantic": "yolo26n-sem.pt", "depth": "yolo26n-depth.pt",
        "classify": "yolov8n-cls.pt", "pose": "yolov8n-pose.pt", "obb": "yolov8n-obb.pt",
    ]
    /// Default model when neither a task nor a model is given.
    public static let defaultModel = "yolov8n-pose.pt"
    /// Default dataset for `train` without `data`.
    public static let taskData: [String: String] = [
        "detect": "coco8.yaml", "segment": "coco8-seg.yaml", "semantic": "cityscapes8.yaml", "depth": "depth8.yaml",
        "classify": "imagenet10", "pose": "coco8-pose.yaml", "obb": "dota8.yaml",
    ]

    /// Every spelling of a special command, mapped to its command: first letters (`h`, `v`; for shared letters the
    /// last command wins, so `c` is copy-cfg, `s` solutions, `l` logout), singulars (`check`, `setting`,
    /// `solution`), and each of those with `-` or `--` in front.
    public static let specialAliases: [String: String] = {
        var names: [(String, String)] = specials.filter { $0 != "info" }.map { ($0, $0) }
        var table = Dictionary(names, uniquingKeysWith: { _, b in b })
        for (name, command) in names { table[String(name.prefix(1))] = command }
        names = table.map { ($0.key, $0.value) }
        for (name, command) in names where name.count > 1 && name.hasSuffix("s") { table[String(name.dropLast())] = command }
        for (name, command) in table { table["-" + name] = command; table["--" + name] = command }
        table["info"] = "info"
        return table
    }()

    /// The keys an argument may use, with the value shown in suggestions (nil for tasks, modes and commands).
    public static let knownKeys: [(key: String, value: CLIValue?)] = {
        var out: [(String, CLIValue?)] = []
        let words = Set(tasks + modes + specials)
        for (k, v) in DefaultConfig.entries { out.append((k, words.contains(k) ? nil : v)) }
        for w in tasks + modes + specials where !DefaultConfig.contains(w) { out.append((w, nil)) }
        return out
    }()

    private static let knownIndex = Set(knownKeys.map(\.key))

    /// Whether `key` may appear as `key=value`.
    public static func isKnown(_ key: String) -> Bool { knownIndex.contains(key) }

    /// Up to three close matches of `key`, formatted as the reference shows them (`seed=0`, `pose`).
    public static func suggestions(for key: String) -> [String] {
        let matches = SimilarKeys.closeMatches(key, among: knownKeys.map(\.key))
        return matches.map { m in
            guard let v = knownKeys.first(where: { $0.key == m })?.value, !v.isNone else { return m }
            return "\(m)=\(v)"
        }
    }

    /// A Python list of strings: `['train', 'val']`.
    static func pyList(_ items: [String]) -> String { CLIValue.list(items.map(CLIValue.string)).repr }
}
