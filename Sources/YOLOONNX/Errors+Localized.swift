import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension ONNXReadError: LocalizedError {
    public var errorDescription: String? { description }
}
extension ONNXRuntimeError: LocalizedError {
    public var errorDescription: String? { description }
}
extension PythonLiteralError: LocalizedError {
    public var errorDescription: String? { description }
}
