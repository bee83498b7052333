import Foundation

/// Console messages in Ultralytics' style, written to standard error.
public enum Log {
    /// Set to false to silence warnings (tests).
    nonisolated(unsafe) public static var enabled = true

    public static func warning(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("WARNING ⚠️ \(message)\n".utf8))
    }

    public static func info(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }
}
