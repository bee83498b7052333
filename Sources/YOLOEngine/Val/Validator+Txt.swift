import Foundation

extension ValOutputWriter {
    /// Path components of the deepest folder holding every image (Python's os.path.commonpath of their folders).
    static func commonDirectory(_ files: [URL]) -> [String] {
        let dirs = files.map { $0.deletingLastPathComponent().standardizedFileURL.pathComponents }
        guard var common = dirs.first else { return [] }
        for d in dirs.dropFirst() {
            var n = 0
            while n < min(common.count, d.count) && common[n] == d[n] { n += 1 }
            common = Array(common.prefix(n))
        }
        return common
    }

    /// `labels/<name>.txt`, where name joins the image's path below the common image folder with "_" after
    /// dropping its extension (so a/1.jpg and b/1.jpg give a_1.txt and b_1.txt).
    func labelURL(for image: URL) -> URL {
        let parts = image.standardizedFileURL.pathComponents
        var rel = Array(parts.dropFirst(min(labelRoot.count, parts.count - 1)))
        if let last = rel.popLast() {
            let ns = last as NSString
            rel.append(ns.pathExtension.isEmpty ? last : ns.deletingPathExtension)
        }
        return saveDir.appendingPathComponent("labels").appendingPathComponent(rel.joined(separator: "_") + ".txt")
    }

    /// save_txt appends per image, so label files left by an earlier run in this folder are removed first.
    func removeOldLabels() throws {
        let dir = saveDir.appendingPathComponent("labels")
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where name.hasSuffix(".txt") {
            try? fm.removeItem(at: dir.appendingPathComponent(name))
        }
    }
}
