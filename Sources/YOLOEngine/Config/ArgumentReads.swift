import Foundation

/// Which configuration keys a run consulted: the CLI's and the trainer's argument accessors report every key they
/// read here while `record` runs. The default-configuration walk test uses it to check that each key a mode claims
/// to honour is actually read by that mode.
public enum ArgumentReads {
    nonisolated(unsafe) private static var keys: Set<String>?
    private static let lock = NSLock()

    /// Runs `body` and returns the keys read meanwhile (by any thread).
    public static func record(_ body: () throws -> Void) rethrows -> Set<String> {
        lock.withLock { keys = [] }
        defer { lock.withLock { keys = nil } }
        try body()
        return lock.withLock { keys ?? [] }
    }

    /// Notes that `key` was read (nothing happens outside `record`).
    public static func note(_ key: String) {
        lock.withLock { if keys != nil { keys!.insert(key) } }
    }
}
