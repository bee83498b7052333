import Foundation

/// Video failures. Every message is one line and names the file.
public enum VideoError: Error, CustomStringConvertible, Equatable {
    /// `ffmpeg` or `ffprobe` is not installed (Debian: `apt-get install ffmpeg`).
    case toolNotFound(tool: String, path: String)
    /// The file could not be opened or has no video stream.
    case cannotOpen(path: String, reason: String)
    /// Decoding stopped with an error after `frames` frames.
    case decodeFailed(path: String, frames: Int, reason: String)
    /// Encoding an output video failed.
    case writeFailed(path: String, reason: String)

    public var path: String {
        switch self {
        case .toolNotFound(_, let p), .cannotOpen(let p, _), .decodeFailed(let p, _, _), .writeFailed(let p, _): return p
        }
    }

    public var description: String {
        switch self {
        case .toolNotFound(let tool, let p):
            return "cannot read video \(p): '\(tool)' not found on PATH (install ffmpeg, e.g. apt-get install ffmpeg)"
        case .cannotOpen(let p, let reason): return "failed to open video \(p): \(reason)"
        case .decodeFailed(let p, let n, let reason): return "video \(p): decoding failed after \(n) frames: \(reason)"
        case .writeFailed(let p, let reason): return "failed to write video \(p): \(reason)"
        }
    }
}
