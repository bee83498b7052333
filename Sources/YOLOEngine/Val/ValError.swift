import Foundation

/// Validation settings that cannot run, with the reference's wording.
public enum ValError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `batch` of zero or less (the reference's data loader refuses it).
    case invalidBatch(Int)
    /// A validation split across MPI ranks could not be merged.
    case distributed(String)

    public var description: String {
        switch self {
        case .invalidBatch(let b): return "batch_size should be a positive integer value, but got batch_size=\(b)"
        case .distributed(let reason): return "distributed validation: \(reason)"
        }
    }
    public var errorDescription: String? { description }
}
