import Foundation

/// Console messages in Ultralytics' style, written to standard error.
public enum Log {
    /// Set to false to silence warnings (tests).
    nonisolated(unsafe) public static var enabled = true

    public static func warning(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("WARNING ⚠️ \(lines(message))\n".utf8))
    }

    public static func info(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\(lines(message))\n".utf8))
    }

    /// Each line of a (possibly multi-line) message through `ConsoleText.line`.
    static func lines(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { ConsoleText.line(String($0)) }
            .joined(separator: "\n")
    }
}
