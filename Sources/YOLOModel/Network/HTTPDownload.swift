import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP(S) downloads shared by weights, predict URLs and datasets: one GET into a hidden `.part` file beside the
/// target, renamed into place only when the whole body arrived; transient failures (HTTP 5xx, 408, 429,
/// time-outs) retried after 1 s, 2 s, …; failures reduced to a short one-line reason.
public enum HTTPDownload {
    /// Whether `YOLO_OFFLINE` asks for no network access.
    public static var isOfflineRequested: Bool {
        ProcessInfo.processInfo.environment["YOLO_OFFLINE"].map { $0 == "1" || $0.lowercased() == "true" } == true
    }

    /// Downloads `remote` to `target`, retrying transient failures `retries` times.
    public static func fetch(_ remote: URL, to target: URL, timeout: TimeInterval = 30, retries: Int = 2) throws {
        var attempt = 0
        while true {
            do {
                try fetchOnce(remote, to: target, timeout: timeout)
                return
            } catch let failure as Failure {
                if failure.transient && attempt < retries {
                    attempt += 1
                    Thread.sleep(forTimeInterval: Double(1 << (attempt - 1)))
                    continue
                }
                let suffix = attempt > 0 ? " (after \(attempt + 1) attempts)" : ""
                throw Failure(reason: failure.reason + suffix, transient: false)
            }
        }
    }

    /// Why a download failed, in a few words.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { reason }
        public let reason: String
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
    static func fetchOnce(_ remote: URL, to target: URL, timeout: TimeInterval) throws {
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
