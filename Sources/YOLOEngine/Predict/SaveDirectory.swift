import Foundation

/// Output folders in Ultralytics' scheme: `runs/<task>/<name>`, then `<name>-2`, `<name>-3`, … unless `existOk`.
public enum SaveDirectory {
    /// The directory to use (not created).
    public static func make(task: String, mode: String, project: String?, name: String?, existOk: Bool,
                            runsDir: String = Settings.current.runsDir) -> URL {
        let base: URL
        if let project, project.hasPrefix("/") { base = URL(fileURLWithPath: project) }
        else { base = URL(fileURLWithPath: runsDir).appendingPathComponent(task).appendingPathComponent(project ?? "") }
        let leaf = name ?? mode
        var candidate = base.appendingPathComponent(leaf)
        guard !existOk else { return candidate }
        var n = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = base.appendingPathComponent("\(leaf)-\(n)")
            n += 1
        }
        return candidate
    }

    /// Removes a run folder that holds nothing but empty folders (a run that failed before writing anything).
    /// A folder with any file in it is left alone.
    public static func removeIfEmpty(_ dir: URL) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: dir.path) else { return }
        for case let entry as String in walker {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir.appendingPathComponent(entry).path, isDirectory: &isDir), !isDir.boolValue {
                return
            }
        }
        try? fm.removeItem(at: dir)
    }
}
