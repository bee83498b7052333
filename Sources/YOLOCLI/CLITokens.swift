import Foundation
import YOLOEngine

/// Command-line token preparation: joining `k = v` fragments and bracket fragments, then stripping leading dashes
/// and trailing commas, as the reference grammar does before interpreting each argument.
public enum CLITokens {
    /// Joins fragments around a lone `=` (`k = v`, `k= v`, `k =v` → `k=v`) and fragments of a bracketed value
    /// (`imgsz=[640,` `480]` → `imgsz=[640,480]`).
    ///
    /// - Throws: ``CLIError/unmatchedBracket(_:)`` when a `[` or `]` is never balanced.
    public static func merge(_ args: [String]) throws -> [String] {
        var merged: [String] = []
        var pending: [String] = []
        var depth = 0
        var i = 0
        while i < args.count {
            var arg = args[i]
            if arg == "=", i > 0, i < args.count - 1, let previous = merged.popLast() {
                arg = previous + "=" + args[i + 1]
                i += 1
            } else if arg.hasSuffix("="), i < args.count - 1, !args[i + 1].contains("=") {
                arg += args[i + 1]
                i += 1
            } else if arg.hasPrefix("="), i > 0, let previous = merged.popLast() {
                arg = previous + arg
            }
            depth += arg.filter { $0 == "[" }.count - arg.filter { $0 == "]" }.count
            pending.append(arg)
            if depth == 0 {
                merged.append(pending.joined())
                pending = []
            }
            i += 1
        }
        if let first = pending.first { throw CLIError.unmatchedBracket(first) }
        return merged
    }

    /// Strips a leading `--` and a trailing `,`, reporting each change through `warn`.
    public static func clean(_ arg: String, warn: (String) -> Void) -> String {
        var a = arg
        if a.hasPrefix("--") {
            let updated = String(a.dropFirst(2))
            warn("argument '\(a)' does not require leading dashes '--', updating to '\(updated)'.")
            a = updated
        }
        if a.hasSuffix(",") {
            let updated = String(a.dropLast())
            warn("argument '\(a)' does not require trailing comma ',', updating to '\(updated)'.")
            a = updated
        }
        return a
    }

    /// Splits `key=value` on the first `=` and trims both sides; `name` and `project` stay verbatim strings.
    ///
    /// Returns nil when the value is empty (the reference then reports the whole token as an unknown argument).
    public static func keyValue(_ pair: String) -> (key: String, value: CLIValue)? {
        guard let eq = pair.firstIndex(of: "=") else { return nil }
        let key = pair[..<eq].trimmingCharacters(in: .whitespacesAndNewlines)
        let raw = pair[pair.index(after: eq)...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard !raw.isEmpty else { return nil }
        if (key == "name" || key == "project") && raw.lowercased() != "none" { return (key, .string(raw)) }
        return (key, CLIValue.parse(raw))
    }
}
