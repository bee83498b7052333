import YOLOEngine
/// A command line that cannot be run. Each message is one line and, where the reference has one, its exact text.
public enum CLIError: Error, Equatable, CustomStringConvertible {
    /// A `[` or `]` that is never balanced; carries the first fragment of the argument.
    case unmatchedBracket(String)
    /// Unknown keys, each with its close matches already formatted (`seed=0`, `pose`).
    case unknownArguments([UnknownArgument])
    /// A bare non-boolean config key, e.g. `yolo imgsz`; carries the key and its default.
    case missingEquals(key: String, defaultValue: CLIValue)
    /// `mode=foo`.
    case invalidMode(String)
    /// `task=foo`.
    case invalidTask(String)
    /// An out-of-range or otherwise unacceptable value (the reference's ValueError).
    case invalidValue(String)
    /// A value of the wrong type (the reference's TypeError).
    case invalidType(String)
    /// A `cfg=` file that does not exist or cannot be read.
    case fileNotFound(String)
    /// A mode or command this build does not run yet.
    case notImplemented(String)
    /// Any other problem, with its message.
    case missing(String)

    /// One unknown key and its suggestions.
    public struct UnknownArgument: Equatable, Sendable {
        public var key: String
        public var similar: [String]
        public init(key: String, similar: [String]) { self.key = key; self.similar = similar }

        /// `'posee' is not a valid YOLO argument. Similar arguments are i.e. ['pose', 'seed=0', 'plots=True'].`
        public var message: String {
            let head = "'\(key)' is not a valid YOLO argument."
            if similar.isEmpty { return head }
            return head + " Similar arguments are i.e. " + CLIValue.list(similar.map(CLIValue.string)).repr + "."
        }
    }

    public var description: String {
        switch self {
        case .unmatchedBracket(let first): return "'\(first)' has an unmatched '[' or ']' bracket."
        case .unknownArguments(let list): return list.map(\.message).joined(separator: " ")
        case .missingEquals(let key, let value):
            return "'\(key)' is a valid YOLO argument but is missing an '=' sign to set its value, i.e. try '\(key)=\(value)'"
        case .invalidMode(let m): return "Invalid 'mode=\(m)'. Valid modes are \(CLIGrammar.pyList(CLIGrammar.modes))."
        case .invalidTask(let t): return "Invalid 'task=\(t)'. Valid tasks are \(CLIGrammar.pyList(CLIGrammar.tasks))."
        case .invalidValue(let m), .invalidType(let m), .missing(let m): return m
        case .fileNotFound(let path): return "'\(path)' does not exist"
        case .notImplemented(let m):
            return "'\(m)' is not available in this build yet; available modes: \(CLIGrammar.implementedModes.joined(separator: ", "));"
                + " other commands: \(CLIGrammar.implementedSpecials.joined(separator: ", "))."
        }
    }

    /// Whether the reference shows the usage text along with this error.
    public var showsHelp: Bool {
        switch self {
        case .unknownArguments, .missingEquals, .invalidMode, .invalidTask: return true
        default: return false
        }
    }

    /// A short pointer appended to the one-line error when the usage text alone would explain it.
    public var hint: String? {
        guard case .unknownArguments = self else { return nil }
        return "(see 'yolo help' and 'yolo cfg'; modes: \(CLIGrammar.modes.joined(separator: ", ")))"
    }
}
