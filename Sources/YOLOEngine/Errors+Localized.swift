import Foundation

// Domain errors carry their message in `description`; `LocalizedError` makes `localizedDescription` show it too.
extension PredictError: LocalizedError {
    public var errorDescription: String? { description }
}
extension OKS.SigmaError: LocalizedError {
    public var errorDescription: String? { description }
}

extension SettingsError: LocalizedError {
    public var errorDescription: String? { description }
}
