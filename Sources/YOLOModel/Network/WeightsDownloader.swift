import Foundation

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
        if HTTPDownload.isOfflineRequested {
            throw ModelLoadError.download(name: name, url: url, reason: "offline (YOLO_OFFLINE is set)")
        }
        Log.info("Downloading \(url) to '\(name)'...")
        do {
            try HTTPDownload.fetch(URL(string: url)!, to: URL(fileURLWithPath: name), timeout: 60)
        } catch {
            throw ModelLoadError.download(name: name, url: url, reason: "\(error)")
        }
        return name
    }
}
