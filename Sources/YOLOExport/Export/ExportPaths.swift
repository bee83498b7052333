import Foundation

/// Path spelling as the reference prints it: Python's `str(Path(p))` keeps the path relative as given but drops `.`
/// components, repeated and trailing slashes.
enum ExportPaths {
    static func pythonPath(_ p: String) -> String {
        guard !p.isEmpty else { return "." }
        let absolute = p.hasPrefix("/")
        let parts = p.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `pythonPath` with the last extension replaced (`Path.with_suffix`).
    static func withSuffix(_ p: String, _ suffix: String) -> String {
        let py = pythonPath(p)
        let dir = (py as NSString).deletingLastPathComponent
        let name = (py as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let file = stem + suffix
        return dir.isEmpty ? file : dir + "/" + file
    }

    /// Size in MiB of a file, or of every file under a folder.
    static func megabytes(_ url: URL) -> Double {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return 0 }
        if !isDir.boolValue {
            let size = (try? fm.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.doubleValue ?? 0
            return size / 1_048_576
        }
        var total = 0.0
        if let e = fm.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) {
            for case let f as URL in e {
                let v = try? f.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
                if v?.isRegularFile == true { total += Double(v?.fileSize ?? 0) }
            }
        }
        return total / 1_048_576
    }
}
