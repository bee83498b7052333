import Foundation
import YOLOModel

/// `http(s)://` predict sources. As Ultralytics does (`check_source` → `check_file` → `safe_download`), a URL whose
/// path ends in an image or video suffix is downloaded into a folder (the current directory by default) under the
/// URL's file name — query string removed, percent-escapes decoded — and then predicted like a local file, so the
/// result's path and stem are the URL's. A file of that name already there is reused, not downloaded again. The body
/// is written to a hidden `.<name>.<uuid>.part` file and renamed into place only when complete.
public enum RemoteSource {
    /// Whether `source` is an `http://` or `https://` URL (any letter case).
    public static func isURL(_ source: String) -> Bool {
        let s = source.lowercased()
        return s.hasPrefix("http://") || s.hasPrefix("https://")
    }

    /// `rtsp://`, `rtmp://`, `tcp://`: streams even with a media suffix.
    public static func isStream(_ source: String) -> Bool {
        let s = source.lowercased()
        return s.hasPrefix("rtsp://") || s.hasPrefix("rtmp://") || s.hasPrefix("tcp://")
    }

    /// Whether the URL's path (without query or fragment) ends in an image or video suffix.
    public static func hasMediaSuffix(_ url: String) -> Bool {
        let path = URLComponents(string: url)?.path ?? String(url.split(separator: "?", maxSplits: 1)[0])
        guard let dot = path.lastIndex(of: ".") else { return false }
        let suffix = path[path.index(after: dot)...].lowercased()
        return PredictSource.imageSuffixes.contains(suffix) || PredictSource.videoSuffixes.contains(suffix)
    }

    /// The local file name for a URL: everything after the last `/` of the percent-decoded URL up to the first `?`,
    /// or `download` when that is empty (`https://host/a/bus.jpg?x=1` → `bus.jpg`).
    public static func fileName(for url: String) -> String {
        let decoded = url.removingPercentEncoding ?? url
        let noQuery = String(decoded.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let name = noQuery.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? ""
        let schemeOnly = noQuery.hasSuffix(":") || name.hasSuffix(":")
        return name.isEmpty || schemeOnly || name == "." || name == ".." ? "download" : name
    }

    /// Downloads `url` into `directory` (the current directory when nil) and returns the absolute local path.
    /// Failures throw one-line `PredictError.download` errors naming the URL and the reason. Transient failures
    /// (HTTP 5xx, 408, 429, time-outs) are retried `retries` times after 1 s, 2 s, … .
    public static func download(_ url: String, to directory: URL? = nil, timeout: TimeInterval = 30,
                                retries: Int = 2) throws -> String {
        let escaped = url.replacingOccurrences(of: " ", with: "%20")
        guard let remote = URL(string: escaped), let host = remote.host, !host.isEmpty else {
            throw PredictError.download(url: url, reason: "invalid URL")
        }
        let dir = (directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let target = dir.appendingPathComponent(fileName(for: url))
        if FileManager.default.fileExists(atPath: target.path) { return target.path }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw PredictError.download(url: url, reason: "cannot create '\(dir.path)'")
        }
        do {
            try HTTPDownload.fetch(remote, to: target, timeout: timeout, retries: retries)
            return target.path
        } catch let failure as HTTPDownload.Failure {
            throw PredictError.download(url: url, reason: failure.reason)
        }
    }
}
