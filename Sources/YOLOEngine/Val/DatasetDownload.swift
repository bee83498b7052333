import Foundation
import YOLOData
import YOLOModel

/// Fetches a dataset whose split folders are missing, from the data YAML's `download` URL (a `.zip` archive is
/// unpacked into the dataset's parent folder, as Ultralytics does). Script-style `download` values (`bash …`,
/// Python snippets) are not run.
public enum DatasetDownload {
    /// Throws a one-line error naming the YAML when `entries` are missing and cannot be fetched.
    public static func ensure(_ entries: [String], data: DataConfig) throws {
        let missing = entries.filter { !FileManager.default.fileExists(atPath: $0) }
        guard !missing.isEmpty else { return }
        let yaml = data.yamlURL.path
        guard !data.downloads.isEmpty else {
            throw DataConfigError(file: yaml, key: "val", message: "images not found at \(missing.joined(separator: ", ")) and no 'download' is given")
        }
        for source in data.downloads { try fetch(source, data: data, missing: missing) }
    }

    /// Downloads one `.zip` source into the dataset's parent folder and unpacks it.
    static func fetch(_ source: String, data: DataConfig, missing: [String]) throws {
        let yaml = data.yamlURL.path
        guard source.hasPrefix("http://") || source.hasPrefix("https://"), source.lowercased().hasSuffix(".zip") else {
            throw DataConfigError(file: yaml, key: "download", message: "images not found at \(missing[0]); download '\(source)' is not a .zip URL (scripts are not run by this build)")
        }
        let parent = data.path.deletingLastPathComponent()
        let archive = parent.appendingPathComponent((source as NSString).lastPathComponent)
        Log.info("Dataset not found ⚠️, missing paths \(missing). Downloading \(source) to \(archive.path)...")
        if HTTPDownload.isOfflineRequested {
            throw DataConfigError(file: yaml, key: "download", message: "cannot download \(source): offline (YOLO_OFFLINE is set)")
        }
        let staged = archive.appendingPathExtension("part")
        do {
            try HTTPDownload.fetch(URL(string: source)!, to: staged, timeout: 60)
        } catch {
            throw DataConfigError(file: yaml, key: "download", message: "cannot download \(source): \(error)")
        }
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        unzip.arguments = ["-q", "-o", staged.path, "-d", parent.path]
        do { try unzip.run() } catch {
            throw DataConfigError(file: yaml, key: "download", message: "cannot unpack \(staged.path): \(error.localizedDescription)")
        }
        unzip.waitUntilExit()
        try? FileManager.default.removeItem(at: staged)
        guard unzip.terminationStatus == 0 else {
            throw DataConfigError(file: yaml, key: "download", message: "cannot unpack \(source) (unzip exit \(unzip.terminationStatus))")
        }
    }
}
