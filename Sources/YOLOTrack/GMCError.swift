import Foundation

/// Why a `GMC` could not be created.
public enum GMCError: Error, CustomStringConvertible, Equatable {
    /// Not a method the reference knows.
    case unknownMethod(String)
    /// `orb` or `sift`: feature detectors and matchers from OpenCV's features2d, which this build does not link.
    case needsFeatures2D(String)

    public var description: String {
        switch self {
        case .unknownMethod(let method):
            return "Unknown GMC method: \(method)"
        case .needsFeatures2D(let method):
            return "GMC method '\(method)' needs OpenCV features2d, which is not in this build; "
                + "use sparseOptFlow, ecc or none"
        }
    }
}

// Kept beside the enum (not in a module-wide Errors+Localized.swift) so this file stands alone.
extension GMCError: LocalizedError {
    public var errorDescription: String? { description }
}
