import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension ExportError: LocalizedError {
    public var errorDescription: String? { description }
}
extension TorchScriptExportError: LocalizedError {
    public var errorDescription: String? { description }
}
