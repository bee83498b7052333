import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension CLIError: LocalizedError {
    public var errorDescription: String? { description }
}
