import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension ModelConfigError: LocalizedError {
    public var errorDescription: String? { description }
}
extension ModelLoadError: LocalizedError {
    public var errorDescription: String? { description }
}
extension HTTPDownload.Failure: LocalizedError {
    public var errorDescription: String? { description }
}
extension CheckpointWriteError: LocalizedError {
    public var errorDescription: String? { description }
}
