import Foundation

/// Errors raised while reading PyTorch / Ultralytics checkpoints and safetensors files.
///
/// Every case carries the file name (last path component) so that `description` is a single self-contained line,
/// e.g. `best.pt: truncated file (zip end-of-central-directory record not found in 1234 bytes)`.
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// The file ends before a structure it announces.
    case truncated(file: String, detail: String)
    /// The file is not a zip archive (or is a legacy, non-zip torch file).
    case notZipArchive(file: String, detail: String)
    /// The zip archive structure is inconsistent.
    case corruptArchive(file: String, detail: String)
    /// A zip entry uses a compression method other than "stored".
    case unsupportedCompression(file: String, entry: String, method: Int)
    /// The archive is a valid zip but not a torch.save checkpoint.
    case notTorchCheckpoint(file: String, detail: String)
    /// A storage entry referenced by a tensor is missing or too short.
    case missingStorage(file: String, entry: String, tensor: String, detail: String)
    /// A tensor's metadata (dtype, shape, strides, offsets) is invalid.
    case invalidTensor(file: String, tensor: String, detail: String)
    /// The pickle stream is malformed (bad opcode, stack underflow, truncated data, ...).
    case malformedPickle(file: String, offset: Int, detail: String)
    /// The checkpoint loads but is not an Ultralytics model checkpoint.
    case notUltralyticsCheckpoint(file: String, detail: String)
    /// A safetensors file is malformed.
    case invalidSafetensors(file: String, detail: String)
    /// Writing a file failed.
    case writeFailed(file: String, reason: String)

    /// The file name the error refers to.
    public var file: String {
        switch self {
        case .unreadable(let f, _), .truncated(let f, _), .notZipArchive(let f, _), .corruptArchive(let f, _),
             .unsupportedCompression(let f, _, _), .notTorchCheckpoint(let f, _), .missingStorage(let f, _, _, _),
             .invalidTensor(let f, _, _), .malformedPickle(let f, _, _), .notUltralyticsCheckpoint(let f, _),
             .invalidSafetensors(let f, _), .writeFailed(let f, _):
            return f
        }
    }

    /// One-line, human-readable message naming the file and the problem.
    public var description: String {
        let text: String
        switch self {
        case .unreadable(let f, let reason):
            text = "\(f): cannot read file (\(reason))"
        case .truncated(let f, let detail):
            text = "\(f): truncated file (\(detail))"
        case .notZipArchive(let f, let detail):
            text = "\(f): \(detail)"
        case .corruptArchive(let f, let detail):
            text = "\(f): corrupt zip archive (\(detail))"
        case .unsupportedCompression(let f, let entry, let method):
            text = "\(f): zip entry '\(entry)' uses unsupported compression method \(method) (only stored entries are supported)"
        case .notTorchCheckpoint(let f, let detail):
            text = "\(f): not a PyTorch checkpoint (\(detail))"
        case .missingStorage(let f, let entry, let tensor, let detail):
            text = "\(f): entry '\(entry)' \(detail) for tensor \(tensor)"
        case .invalidTensor(let f, let tensor, let detail):
            text = "\(f): invalid tensor \(tensor) (\(detail))"
        case .malformedPickle(let f, let offset, let detail):
            text = "\(f): malformed pickle data at byte \(offset) (\(detail))"
        case .notUltralyticsCheckpoint(let f, let detail):
            text = "\(f): \(detail)"
        case .invalidSafetensors(let f, let detail):
            text = "\(f): invalid safetensors file (\(detail))"
        case .writeFailed(let f, let reason):
            text = "\(f): cannot write file (\(reason))"
        }
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}

extension CheckpointError: LocalizedError {
    public var errorDescription: String? { description }
}

extension URL {
    /// The name used in error messages: the last path component (or the whole path if empty).
    var checkpointDisplayName: String {
        let name = lastPathComponent
        return name.isEmpty ? path : name
    }
}
