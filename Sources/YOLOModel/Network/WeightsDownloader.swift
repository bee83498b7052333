import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Resolves official weight names (`yolov8n-pose.pt`, …) to a local file, downloading from the
/// Ultralytics GitHub release assets on first use, as Ultralytics does.
public enum WeightsDownloader {
    /// The release holding the official assets.
    public static let releaseURL = "https://github.com/ultralytics/assets/releases/download/v8.4.0"

    /// Whether `name` is an official asset name this project knows (YOLOv8 detect/pose weights).
    public static func isOfficial(_ name: String) -> Bool {
        name.range(of: #"^yolov8[nslmx](-pose)?(-p6)?\.pt$"#, options: .regularExpression) != nil
    }

    /// Returns `path` if it exists; downloads an official name into the current directory; otherwise throws.
    public static func resolve(_ path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) { return path }
        let name = (path as NSString).lastPathComponent
        guard isOfficial(name), !path.contains("/") else {
            throw ModelLoadError.metadata(file: path, "file not found")
        }
        let url = "\(releaseURL)/\(name)"
        if ProcessInfo.processInfo.environment["YOLO_OFFLINE"].map({ $0 == "1" || $0.lowercased() == "true" }) == true {
            throw ModelLoadError.download(name: name, url: url, reason: "offline (YOLO_OFFLINE is set)")
        }
        Log.info("Downloading \(url) to '\(name)'...")
        let semaphore = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var value: Result<URL, Error> = .failure(URLError(.unknown)) }
        let outcome = Outcome()
        let task = URLSession.shared.downloadTask(with: URL(string: url)!) { tmp, response, error in
            if let error { outcome.value = .failure(error) }
            else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                outcome.value = .failure(NSError(domain: "HTTP", code: http.statusCode,
                                          userInfo: [NSLocalizedDescriptionKey: "HTTP status \(http.statusCode)"]))
            } else if let tmp {
                let staged = URL(fileURLWithPath: name + ".part")
                try? FileManager.default.removeItem(at: staged)
                do { try FileManager.default.moveItem(at: tmp, to: staged); outcome.value = .success(staged) }
                catch { outcome.value = .failure(error) }
            }
            semaphore.signal()
        }
        task.resume()
        if semaphore.wait(timeout: .now() + 600) == .timedOut { task.cancel() }
        switch outcome.value {
        case .success(let staged):
            _ = try? FileManager.default.removeItem(atPath: name)
            try FileManager.default.moveItem(at: staged, to: URL(fileURLWithPath: name))
            return name
        case .failure(let e):
            throw ModelLoadError.download(name: name, url: url, reason: e.localizedDescription)
        }
    }
}
