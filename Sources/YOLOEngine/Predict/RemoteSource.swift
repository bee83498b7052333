import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        var attempt = 0
        while true {
            do {
                try fetch(remote, to: target, timeout: timeout)
                return target.path
            } catch let failure as Failure {
                if failure.transient && attempt < retries {
                    attempt += 1
                    Thread.sleep(forTimeInterval: Double(1 << (attempt - 1)))
                    continue
                }
                let suffix = attempt > 0 ? " (after \(attempt + 1) attempts)" : ""
                throw PredictError.download(url: url, reason: failure.reason + suffix)
            }
        }
    }

    struct Failure: Error {
        let reason: String
        let transient: Bool
    }

    /// Hands the completion handler's outcome to the waiting thread.
    final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Result<Void, Failure> = .failure(Failure(reason: "no response", transient: true))
        func set(_ v: Result<Void, Failure>) { lock.lock(); value = v; lock.unlock() }
        func get() -> Result<Void, Failure> { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// One GET into a `.part` file next to `target`, renamed into place when the whole body arrived.
    static func fetch(_ remote: URL, to target: URL, timeout: TimeInterval) throws {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = max(timeout, 3600)
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: remote)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let part = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.lowercased()).part")
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        let task = session.downloadTask(with: request) { location, response, error in
            var outcome: Result<Void, Failure> = .failure(Failure(reason: "no response", transient: true))
            defer { box.set(outcome); done.signal() }
            if let error {
                outcome = .failure(describe(error))
                return
            }
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                let code = http.statusCode
                let text = HTTPURLResponse.localizedString(forStatusCode: code)
                outcome = .failure(Failure(reason: "HTTP \(code) \(text)",
                                           transient: code >= 500 || code == 408 || code == 429))
                return
            }
            guard let location else {
                outcome = .failure(Failure(reason: "no data received", transient: true))
                return
            }
            do {
                let size = (try FileManager.default.attributesOfItem(atPath: location.path)[.size] as? NSNumber)?.intValue ?? 0
                guard size > 0 else {
                    outcome = .failure(Failure(reason: "empty response", transient: false))
                    return
                }
                try? FileManager.default.removeItem(at: part)
                try FileManager.default.moveItem(at: location, to: part)
                outcome = .success(())
            } catch {
                outcome = .failure(Failure(reason: "cannot write '\(part.path)': \((error as NSError).localizedDescription)",
                                           transient: false))
            }
        }
        task.resume()
        done.wait()
        switch box.get() {
        case .failure(let f):
            try? FileManager.default.removeItem(at: part)
            throw f
        case .success:
            do {
                if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
                try FileManager.default.moveItem(at: part, to: target)
            } catch {
                try? FileManager.default.removeItem(at: part)
                throw Failure(reason: "cannot write '\(target.path)': \((error as NSError).localizedDescription)",
                              transient: false)
            }
        }
    }

    /// A short reason for a transport error (URLError codes mapped to words; libcurl's own text otherwise).
    static func describe(_ error: Error) -> Failure {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch URLError.Code(rawValue: ns.code) {
            case .cannotConnectToHost: return Failure(reason: "connection refused", transient: false)
            case .cannotFindHost, .dnsLookupFailed:
                return Failure(reason: "cannot resolve host (DNS failure or offline)", transient: false)
            case .notConnectedToInternet: return Failure(reason: "offline: no network connection", transient: false)
            case .timedOut: return Failure(reason: "timed out", transient: true)
            case .networkConnectionLost: return Failure(reason: "connection lost", transient: true)
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                 .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                return Failure(reason: "TLS error", transient: false)
            case .unsupportedURL: return Failure(reason: "unsupported URL", transient: false)
            case .badServerResponse: return Failure(reason: "bad server response", transient: true)
            default: break
            }
        }
        let text = ns.localizedDescription.replacingOccurrences(of: "\n", with: " ")
        return Failure(reason: text.isEmpty ? "error \(ns.domain) \(ns.code)" : text, transient: false)
    }
}
