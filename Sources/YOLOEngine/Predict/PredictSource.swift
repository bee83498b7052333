import Foundation
import YOLOData

/// Resolves a predict `source` string into media files, as Ultralytics does: a file, a directory (sorted,
/// images first then videos), a glob (`*`, recursive `**`), an `http(s)://` URL with a media suffix (downloaded,
/// see `RemoteSource`), or a `.txt`/`.csv` list of paths — which here may also hold such URLs.
public enum PredictSource {
    /// The same image suffixes datasets accept.
    public static let imageSuffixes: Set<String> = YOLOData.imageSuffixes
    public static let videoSuffixes: Set<String> = ["asf", "avi", "gif", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg", "ts", "wmv", "webm"]

    public static func isImage(_ path: String) -> Bool { imageSuffixes.contains((path as NSString).pathExtension.lowercased()) }
    public static func isVideo(_ path: String) -> Bool { videoSuffixes.contains((path as NSString).pathExtension.lowercased()) }

    /// The media files of `source`, absolute paths. Throws when nothing usable exists. URLs are downloaded into
    /// `downloadDirectory` (the current directory when nil, like Ultralytics).
    public static func resolve(_ source: String, downloadDirectory: URL? = nil) throws -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        var files: [String]
        if RemoteSource.isURL(source) || RemoteSource.isStream(source) {
            files = [try remote(source, downloadDirectory: downloadDirectory)]
        } else if source.contains("*") {
            files = glob(source)
        } else if fm.fileExists(atPath: source, isDirectory: &isDir) {
            let abs = URL(fileURLWithPath: source).standardizedFileURL.path
            if isDir.boolValue {
                files = try fm.contentsOfDirectory(atPath: abs).filter { $0.contains(".") && !$0.hasPrefix(".") }
                    .sorted().map { abs + "/" + $0 }
            } else if ["txt", "csv"].contains((abs as NSString).pathExtension.lowercased()) {
                let base = (abs as NSString).deletingLastPathComponent
                files = try String(contentsOfFile: abs, encoding: .utf8).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && $0 != "source" }
                    .map { entry in
                        if RemoteSource.isURL(entry) || RemoteSource.isStream(entry) {
                            return try remote(entry, downloadDirectory: downloadDirectory)
                        }
                        return entry.hasPrefix("/") ? entry : base + "/" + entry
                    }
            } else {
                files = [abs]
            }
        } else {
            throw PredictError.sourceNotFound(source)
        }
        let images = files.filter(isImage), videos = files.filter(isVideo)
        guard !(images.isEmpty && videos.isEmpty) else { throw PredictError.noMedia(source) }
        return images + videos
    }

    /// A URL source: downloaded when its path has a media suffix. Streams (`rtsp://` …, suffix-less http URLs)
    /// are not supported.
    static func remote(_ url: String, downloadDirectory: URL?) throws -> String {
        if RemoteSource.isStream(url) {
            throw PredictError.unsupported("source '\(url)': streams (rtsp://, rtmp://, tcp://) are not supported")
        }
        guard RemoteSource.hasMediaSuffix(url) else {
            throw PredictError.unsupported("source '\(url)': URLs without an image or video suffix (streams) are not supported")
        }
        return try RemoteSource.download(url, to: downloadDirectory)
    }

    /// Expands a glob pattern with `*`, `?` and `**` (any depth), sorted.
    /// Output stems of `files` in order: the file name without extension, `-2`, `-3`, … for repeats.
    public static func uniqueStems(_ files: [String]) -> [String] {
        var used: [String: Int] = [:]
        return files.map { path in
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let n = used[stem, default: 0] + 1
            used[stem] = n
            return n > 1 ? "\(stem)-\(n)" : stem
        }
    }

    static func glob(_ pattern: String) -> [String] {
        let abs = pattern.hasPrefix("/") ? pattern : FileManager.default.currentDirectoryPath + "/" + pattern
        let parts = abs.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var paths = ["/"]
        for (i, part) in parts.enumerated() {
            let last = i == parts.count - 1
            var next: [String] = []
            for base in paths {
                if part == "**" {
                    next.append(base)
                    if let e = FileManager.default.enumerator(atPath: base) {
                        while let sub = e.nextObject() as? String {
                            var d: ObjCBool = false
                            let full = (base as NSString).appendingPathComponent(sub)
                            if FileManager.default.fileExists(atPath: full, isDirectory: &d), d.boolValue { next.append(full) }
                        }
                    }
                } else if part.contains("*") || part.contains("?") {
                    let items = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
                    next += items.filter { fnmatch(part, $0, 0) == 0 }.map { (base as NSString).appendingPathComponent($0) }
                } else {
                    let full = (base as NSString).appendingPathComponent(part)
                    if last || FileManager.default.fileExists(atPath: full) { next.append(full) }
                }
            }
            paths = next
        }
        return Array(Set(paths.filter { FileManager.default.fileExists(atPath: $0) })).sorted()
    }
}

/// Predict failures that stop the run. Messages are one line and name the path.
public enum PredictError: Error, CustomStringConvertible {
    case sourceNotFound(String)
    case noMedia(String)
    case unsupported(String)
    /// A live source (webcam, screen, stream URL) gave no frame: `{i}/{n}: {source}... Failed to open {source} (why)`.
    case cannotOpenStream(source: String, index: Int, count: Int, reason: String)
    /// A URL source could not be downloaded.
    case download(url: String, reason: String)

    public var description: String {
        switch self {
        case .sourceNotFound(let s): return "source '\(s)' does not exist"
        case .noMedia(let s): return "no images or videos found in '\(s)'. Supported formats are: images \(PredictSource.imageSuffixes.sorted()), videos \(PredictSource.videoSuffixes.sorted())"
        case .unsupported(let s): return s
        case .cannotOpenStream(let s, let i, let n, let reason): return "\(i)/\(n): \(s)... Failed to open \(s) (\(reason))"
        case .download(let url, let reason): return "download failure for '\(url)': \(reason)"
        }
    }
}
