/// The Ultralytics command grammar: `yolo [TASK] MODE key=value …`.
public struct CLIArguments: Equatable {
    public static let tasks = ["detect", "segment", "classify", "pose", "obb"]
    public static let modes = ["train", "val", "predict", "export", "track", "benchmark"]
    /// Commands that take no task or mode.
    public static let specials = ["help", "version", "checks", "settings", "cfg", "info"]

    public var task: String?
    public var mode: String?
    public var special: String?
    public var overrides: [(String, String)] = []

    public static func == (a: CLIArguments, b: CLIArguments) -> Bool {
        a.task == b.task && a.mode == b.mode && a.special == b.special
            && a.overrides.map { $0.0 + "=" + $0.1 } == b.overrides.map { $0.0 + "=" + $0.1 }
    }

    /// Parses tokens left to right; `key = value` with spaces around `=` is joined, as Ultralytics does.
    public init(_ tokens: [String]) throws {
        var toks: [String] = []
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            if t == "=", !toks.isEmpty, i + 1 < tokens.count { toks[toks.count - 1] += "=" + tokens[i + 1]; i += 2; continue }
            if t.hasSuffix("="), t.count > 1, i + 1 < tokens.count, !tokens[i + 1].contains("=") { toks.append(t + tokens[i + 1]); i += 2; continue }
            if t.hasPrefix("="), !toks.isEmpty { toks[toks.count - 1] += t; i += 1; continue }
            toks.append(t)
            i += 1
        }
        for t in toks {
            if let eq = t.firstIndex(of: "=") {
                let key = String(t[..<eq]).replacingOccurrences(of: "-", with: "_")
                let value = String(t[t.index(after: eq)...])
                guard !key.isEmpty, !value.isEmpty else { throw CLIError.badArgument(t) }
                overrides.append((key, value))
            } else if CLIArguments.tasks.contains(t) {
                task = t
            } else if CLIArguments.modes.contains(t) {
                mode = t
            } else if CLIArguments.specials.contains(t.lowercased()) || t == "-h" || t == "--help" {
                special = t.hasPrefix("-") ? "help" : t.lowercased()
            } else {
                throw CLIError.unknownToken(t)
            }
        }
    }

    /// Last value given for `key`.
    public func value(_ key: String) -> String? { overrides.last { $0.0 == key }?.1 }
}

/// A command line that cannot be run. Messages are one line.
public enum CLIError: Error, CustomStringConvertible {
    case unknownToken(String)
    case badArgument(String)
    case notImplemented(String)
    case missing(String)

    public var description: String {
        switch self {
        case .unknownToken(let t):
            return "'\(t)' is not a valid YOLO argument. Valid tasks: \(CLIArguments.tasks.joined(separator: ", ")); modes: \(CLIArguments.modes.joined(separator: ", ")); special commands: \(CLIArguments.specials.joined(separator: ", ")). Run 'yolo help'."
        case .badArgument(let t): return "'\(t)' is not a valid 'key=value' argument."
        case .notImplemented(let m): return "mode '\(m)' is not available in this build yet (see the project issues); available: info, version, help."
        case .missing(let what): return what
        }
    }
}
