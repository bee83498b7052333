import Foundation

/// Writing of `torch.save`-compatible files: a protocol-2 pickle of a `PickleTerm` in PyTorch's zip layout.
public enum TorchSave {
    /// The archive bytes, as `torch.save(obj, io.BytesIO())` lays them out (root folder "archive" by default).
    public static func encode(_ root: PickleTerm, archiveName: String = "archive") throws -> Data {
        let (pickle, storages) = PickleWriter.encode(root)
        let sink = DataSink()
        try TorchZipWriter(sink: sink, archiveName: archiveName, fileName: "<memory>")
            .writeArchive(pickle: pickle, storages: storages)
        return sink.data
    }

    /// Writes `root` to `url` atomically (see `AtomicFile`). The archive's root folder is `archiveName`, by default
    /// the one `torch.save(obj, path)` uses for this path (`archiveName(for:)`).
    public static func write(_ root: PickleTerm, to url: URL, archiveName: String? = nil) throws {
        let (pickle, storages) = PickleWriter.encode(root)
        let folder = archiveName ?? Self.archiveName(for: url)
        try AtomicFile.write(to: url) { sink in
            try TorchZipWriter(sink: sink, archiveName: folder, fileName: url.checkpointDisplayName)
                .writeArchive(pickle: pickle, storages: storages)
        }
    }

    /// The root folder `torch.save` gives a file: its name without the last extension ("best.pt" → "best"), or
    /// "archive" when the name is not plain ASCII (torch then writes through a Python stream).
    public static func archiveName(for url: URL) -> String {
        let file = url.lastPathComponent
        let stem = (file as NSString).deletingPathExtension
        guard !stem.isEmpty, stem.utf8.allSatisfy({ $0 < 0x80 }) else { return "archive" }
        return stem
    }
}

/// Atomic file replacement: the bytes go to a temporary file in the destination's folder, which is flushed to disk
/// (fsync) and renamed over the destination; the folder is synced too. A crash at any moment leaves either the old
/// file or the complete new one.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(data) }
    }

    /// Writes whatever `body` sends to the sink, then atomically replaces `url` with it.
    /// - Throws: `CheckpointError.writeFailed` naming the file, or what `body` throws; the temporary file is removed.
    public static func write(to url: URL, _ body: (ByteSink) throws -> Void) throws {
        let name = url.checkpointDisplayName
        let directory = url.deletingLastPathComponent()
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        func failure(_ what: String) -> CheckpointError {
            CheckpointError.writeFailed(file: name, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory.path)") }
        var closed = false
        do {
            let sink = FileDescriptorSink(fd: fd, fileName: name)
            try body(sink)
            try sink.flush()
            guard fsync(fd) == 0 else { throw failure("fsync") }
            closed = true
            guard close(fd) == 0 else { throw failure("close") }
            guard rename(temp.path, url.path) == 0 else { throw failure("rename") }
        } catch {
            if !closed { close(fd) }
            unlink(temp.path)
            throw error
        }
        let dirFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }
}
