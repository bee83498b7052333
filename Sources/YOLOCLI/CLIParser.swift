import Foundation
import YOLOEngine
import YOLOModel

/// What a command line asks for, before mode resolution.
public enum CLICommand: Equatable {
    /// No arguments: print the usage text.
    case usage
    /// A special command (`help`, `version`, `checks`, `settings`, `cfg`, `copy-cfg`, `login`, `logout`,
    /// `solutions`) with every argument after the first, for commands that take their own arguments.
    case special(String, arguments: [String])
    /// A task/mode run, or `info`, with the parsed arguments.
    case run(CLIParsedArguments)
}

/// The arguments of a run after token processing: overrides with deprecated keys mapped and all keys known.
public struct CLIParsedArguments: Equatable {
    /// `key=value` overrides including `task` and `mode` when given as words.
    public var overrides = CLIOverrides()
    /// Whether the `info` command word appeared.
    public var info = false
}

/// Token processing, left to right, as the reference `yolo` entry point does it.
public enum CLIParser {
    /// Keys outside the config that the reference also accepts as `key=value`.
    static let extraKeys: Set<String> = ["augmentations", "save_dir"]
    /// Words that mean True when given bare although their default is not a bool.
    static let bareFlags: Set<String> = ["half", "int8", "end2end", "nms"]

    /// Parses `argv` (without the program name). Warnings (dashes, commas, deprecated keys, cfg file) go to `warn`.
    ///
    /// - Throws: ``CLIError`` for unmatched brackets, unknown keys, bare valued keys and unreadable cfg files.
    public static func parse(_ argv: [String], warn: (String) -> Void = Log.warning) throws -> CLICommand {
        guard !argv.isEmpty else { return .usage }
        var parsed = CLIParsedArguments()
        for token in try CLITokens.merge(argv) {
            let a = CLITokens.clean(token, warn: warn)
            if a.contains("=") {
                guard let (key, value) = CLITokens.keyValue(a) else { throw unknown([a]) }
                if key == "cfg", !value.isNone {
                    try mergeConfigFile(value.description, into: &parsed.overrides, warn: warn)
                } else {
                    parsed.overrides[key] = value
                }
            } else if CLIGrammar.tasks.contains(a) {
                parsed.overrides["task"] = .string(a)
            } else if CLIGrammar.modes.contains(a) {
                parsed.overrides["mode"] = .string(a)
            } else if let command = CLIGrammar.specialAliases[a.lowercased()] {
                if command == "info" { parsed.info = true; continue }
                return .special(command, arguments: Array(argv.dropFirst()))
            } else if DefaultConfig.isBoolKey(a) || bareFlags.contains(a) {
                parsed.overrides[a] = .bool(true)
            } else if let defaultValue = DefaultConfig.value(a) {
                throw CLIError.missingEquals(key: a, defaultValue: defaultValue)
            } else {
                // A bare deprecated key only warns; anything else is unknown.
                var single = CLIOverrides([(a, .string(""))])
                try CLIDeprecations.apply(to: &single, warn: warn)
                let unknownKeys = single.keys.filter { !CLIGrammar.isKnown($0) && !extraKeys.contains($0) }
                if !unknownKeys.isEmpty { throw unknown(unknownKeys) }
            }
        }
        try CLIDeprecations.apply(to: &parsed.overrides, warn: warn)
        let unknownKeys = parsed.overrides.keys.filter { !CLIGrammar.isKnown($0) && !extraKeys.contains($0) }
        if !unknownKeys.isEmpty { throw unknown(unknownKeys) }
        return .run(parsed)
    }

    /// The unknown-argument error for `keys`, with suggestions.
    static func unknown(_ keys: [String]) -> CLIError {
        .unknownArguments(keys.map { CLIError.UnknownArgument(key: $0, similar: CLIGrammar.suggestions(for: $0)) })
    }

    /// `cfg=file.yaml`: the file's keys (except `cfg`) become overrides; keys given earlier on the command line win.
    static func mergeConfigFile(_ path: String, into overrides: inout CLIOverrides, warn: (String) -> Void) throws {
        guard FileManager.default.fileExists(atPath: path),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError.fileNotFound(path) }
        let node: ConfigNode
        do { node = try ConfigNode.parse(yaml: text) } catch { throw CLIError.missing("'\(path)' is not valid YAML: \(error)") }
        guard case .map(let items) = node else { throw CLIError.missing("'\(path)' is not a YAML mapping of config keys") }
        Log.info("Overriding default.yaml with \(path)")
        var merged = CLIOverrides(items.filter { $0.0 != "cfg" }.map { ($0.0, CLIValue($0.1)) })
        for (k, v) in overrides.pairs { merged[k] = v }
        overrides = merged
    }
}
