import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension StateDictError: LocalizedError {
    public var errorDescription: String? { description }
}
