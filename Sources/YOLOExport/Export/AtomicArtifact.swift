import Foundation
import YOLOFormats

/// Writes export artefacts so that nothing partial is ever left at the destination: files go to a temporary name
/// in the same folder and are renamed over the destination; folders are built under a temporary name and swapped
/// in. On failure the temporary file or folder is removed and an existing artefact is left untouched.
public enum AtomicArtifact {
    /// Writes a file atomically; `body` streams its bytes into the sink.
    ///
    /// - Throws: `ExportError.writeFailed` naming the file, or what `body` throws.
    public static func writeFile(to url: URL, _ body: (ByteSink) throws -> Void) throws {
        do {
            try AtomicFile.write(to: url, body)
        } catch let CheckpointError.writeFailed(_, reason) {
            throw ExportError.writeFailed(file: url.path, reason: reason)
        }
    }

    /// Builds a folder artefact: `body` fills a fresh temporary folder, which then replaces `url` (an existing
    /// folder there is moved aside first and removed after the swap, as the reference overwrites silently).
    ///
    /// - Throws: `ExportError.writeFailed` naming the folder, or what `body` throws.
    public static func writeFolder(to url: URL, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        let token = UUID().uuidString
        let temp = parent.appendingPathComponent(".\(url.lastPathComponent).\(token).tmp")
        let aside = parent.appendingPathComponent(".\(url.lastPathComponent).\(token).old")
        do {
            try fm.createDirectory(at: temp, withIntermediateDirectories: false)
        } catch {
            throw ExportError.writeFailed(file: url.path, reason: "cannot create a temporary folder in \(parent.path): \(error.localizedDescription)")
        }
        do {
            try body(temp)
            let existed = fm.fileExists(atPath: url.path)
            if existed { try move(url, aside, url) }
            do {
                try move(temp, url, url)
            } catch {
                if existed { try? fm.moveItem(at: aside, to: url) }
                throw error
            }
            if existed { try? fm.removeItem(at: aside) }
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
    }

    private static func move(_ from: URL, _ to: URL, _ destination: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw ExportError.writeFailed(file: destination.path, reason: "rename: \(String(cString: strerror(errno)))")
        }
    }
}
