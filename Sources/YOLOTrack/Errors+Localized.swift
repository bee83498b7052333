import Foundation

extension TrackerConfigError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .notFound(let f):
            return "tracker '\(f)' does not exist (give a tracker YAML path, or one of \(TrackerConfig.builtIn.keys.sorted()))"
        case .unreadable(let f, let reason): return "tracker \(f): \(reason)"
        case .missingKey(let f, let key): return "tracker \(f): the key '\(key)' is missing"
        case .badValue(let f, let key, let value, let expected): return "tracker \(f): '\(key): \(value)' should be \(expected)"
        case .unknownType(let f, let type):
            return "tracker \(f): Only \(TrackerConfig.referenceTypes) are supported for now, but got '\(type)'"
        case .notImplemented(let f, let what):
            return "tracker \(f): \(what) is not in this build yet (tracker types here: \(TrackerConfig.implementedTypes.joined(separator: ", ")))"
        }
    }
    public var errorDescription: String? { description }
}
