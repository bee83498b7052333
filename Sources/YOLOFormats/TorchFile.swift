import Foundation

/// A generic `torch.save` zip container: the unpickled top-level object with every tensor materialized.
public struct TorchFile: Sendable {
    /// The top-level object (for Ultralytics checkpoints, a dict).
    public let root: PickleValue
    /// The file that was read.
    public let url: URL
    /// The archive's root folder (e.g. "archive" or the file stem).
    public let archiveRoot: String

    /// Reads and decodes a zip-format `torch.save` file.
    /// - Throws: `CheckpointError` naming the file for unreadable, truncated, non-zip, non-torch or malformed input.
    public static func load(_ url: URL) throws -> TorchFile {
        let name = url.checkpointDisplayName
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError.unreadable(file: name, reason: Self.reason(for: error, url: url))
        }
        return try load(data: data, url: url)
    }

    /// Decodes a zip-format `torch.save` archive already in memory; `url` is used for naming only.
    public static func load(data: Data, url: URL) throws -> TorchFile {
        let name = url.checkpointDisplayName
        let zip = try ZipArchive(data: data, fileName: name)
        guard let first = zip.entries.first else {
            throw CheckpointError.notTorchCheckpoint(file: name, detail: "empty zip archive")
        }
        // The root folder is taken from the entries, never assumed to be "archive".
        var root = first.name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var pickleEntry = zip.entry(named: root + "/data.pkl")
        if pickleEntry == nil, let other = zip.entries.first(where: { $0.name.hasSuffix("/data.pkl") }) {
            pickleEntry = other
            root = String(other.name.dropLast("/data.pkl".count))
        }
        guard let pickleEntry else {
            throw CheckpointError.notTorchCheckpoint(file: name, detail: "no data.pkl entry")
        }
        if let order = zip.entry(named: root + "/byteorder"),
           let text = String(data: try zip.payload(of: order), encoding: .utf8),
           text.trimmingCharacters(in: .whitespacesAndNewlines) == "big" {
            throw CheckpointError.notTorchCheckpoint(file: name, detail: "big-endian checkpoints are not supported")
        }

        let pickleBytes = [UInt8](try zip.payload(of: pickleEntry))
        var machine = PickleMachine(bytes: pickleBytes, fileName: name) { pid in
            try Self.storageReference(pid, fileName: name)
        }
        var top: PickleNode?
        defer { machine.dismantle(top.map { [$0] } ?? []) }
        top = try machine.run()
        var storages: [String: Data] = [:]
        // Broadcast views (zero strides) are the one way a small file can ask for a large allocation; all of them
        // together may take what the file itself could plausibly hold, at most 64 MiB more than its size.
        var broadcastBudget = 64 << 20 + zip.data.count
        var builder = PickleTreeBuilder(fileName: name,
                                        maxExpanded: PickleTreeBuilder.expansionBudget(forStreamOf: pickleBytes.count)) {
            box, path in
            try Self.materialize(box, path: path, zip: zip, root: root, storages: &storages,
                                 broadcastBudget: &broadcastBudget)
        }
        let value = try builder.convert(top!, path: "")
        return TorchFile(root: value, url: url, archiveRoot: root)
    }

    /// Interprets a torch persistent id `('storage', StorageClass, key, location, numel)`.
    static func storageReference(_ pid: PickleValue, fileName: String) throws -> PickleNode {
        guard case .tuple(let parts) = pid, parts.count >= 5, parts[0].stringValue == "storage" else {
            throw CheckpointError.notTorchCheckpoint(file: fileName, detail: "unrecognized persistent id \(pid.typeName)")
        }
        guard case .global(_, let storageName) = parts[1] else {
            throw CheckpointError.notTorchCheckpoint(file: fileName, detail: "storage type is not a global")
        }
        guard let dtype = TensorDType(torchStorageName: storageName) else {
            throw CheckpointError.notTorchCheckpoint(file: fileName, detail: "unsupported storage type torch.\(storageName)")
        }
        let key: String
        if let s = parts[2].stringValue { key = s } else if let i = parts[2].intValue { key = String(i) } else {
            throw CheckpointError.notTorchCheckpoint(file: fileName, detail: "storage key is not a string")
        }
        guard let numel = parts[4].intValue, numel >= 0 else {
            throw CheckpointError.notTorchCheckpoint(file: fileName, detail: "storage \(key) has an invalid element count")
        }
        return .storage(StorageRef(key: key, dtype: dtype, numel: numel))
    }

    /// Copies a (possibly offset / strided) tensor view out of its storage entry into contiguous bytes.
    static func materialize(_ box: TensorBox, path: String, zip: ZipArchive, root: String,
                            storages: inout [String: Data], broadcastBudget: inout Int) throws -> StoredTensor {
        let ref = box.storage
        let entryName = "\(root)/data/\(ref.key)"
        let itemSize = ref.dtype.itemSize
        // A view with a zero-size dimension has no elements, whatever its other dimensions and its storage.
        if box.size.contains(0) { return StoredTensor(shape: box.size, dtype: ref.dtype, bytes: Data()) }
        let storage: Data
        if let cached = storages[ref.key] {
            storage = cached
        } else {
            guard let entry = zip.entry(named: entryName) else {
                throw CheckpointError.missingStorage(file: zip.fileName, entry: entryName, tensor: path, detail: "missing")
            }
            storage = try zip.payload(of: entry)
            storages[ref.key] = storage
        }
        let available = storage.count / itemSize
        var numel = 1
        var lastIndex = box.offset
        // A view without zero strides addresses distinct elements, so it cannot exceed its storage;
        // broadcast views (zero strides) share the file's broadcast budget.
        let broadcast = box.stride.contains(0)
        let limit = broadcast ? max(broadcastBudget, 0) / itemSize : max(available, 1)
        for (n, s) in Swift.zip(box.size, box.stride) {
            let (product, overflow) = numel.multipliedReportingOverflow(by: n)
            guard !overflow, product <= limit else {
                throw CheckpointError.invalidTensor(file: zip.fileName, tensor: path, detail: broadcast
                    ? "broadcast view of shape \(box.size) would need more memory than the file can plausibly hold"
                    : "shape \(box.size) is too large for its storage")
            }
            numel = product
            if n > 0 {
                let (span, o1) = (n - 1).multipliedReportingOverflow(by: s)
                let (sum, o2) = lastIndex.addingReportingOverflow(span)
                guard !o1, !o2 else {
                    throw CheckpointError.invalidTensor(file: zip.fileName, tensor: path, detail: "stride \(box.stride) overflows")
                }
                lastIndex = sum
            }
        }
        if numel == 0 {
            return StoredTensor(shape: box.size, dtype: ref.dtype, bytes: Data())
        }
        if broadcast { broadcastBudget -= numel * itemSize }
        guard lastIndex < available else {
            throw CheckpointError.missingStorage(
                file: zip.fileName, entry: entryName, tensor: path,
                detail: "too short (\(storage.count) bytes, view needs element \(lastIndex) of \(ref.dtype))")
        }
        var out = Data(count: numel * itemSize)
        out.withUnsafeMutableBytes { dst in
            storage.withUnsafeBytes { src in
                guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                if isContiguous(box.size, box.stride) {
                    d.copyMemory(from: s + box.offset * itemSize, byteCount: numel * itemSize)
                } else {
                    gather(into: d, from: s, size: box.size, stride: box.stride, offset: box.offset, itemSize: itemSize)
                }
            }
        }
        return StoredTensor(shape: box.size, dtype: ref.dtype, bytes: out)
    }

    /// Whether a view's strides are the row-major strides of its shape (size-1 dimensions ignored).
    static func isContiguous(_ size: [Int], _ stride: [Int]) -> Bool {
        var expected = 1
        for d in stride.indices.reversed() where size[d] != 1 {
            if stride[d] != expected { return false }
            expected *= size[d]
        }
        return true
    }

    /// Copies a strided view element by element in row-major order (bounds validated by the caller).
    static func gather(into dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, size: [Int], stride: [Int],
                       offset: Int, itemSize: Int) {
        let rank = size.count
        var index = [Int](repeating: 0, count: rank)
        var source = offset
        var written = 0
        let total = size.reduce(1, *)
        while written < total {
            (dst + written * itemSize).copyMemory(from: src + source * itemSize, byteCount: itemSize)
            written += 1
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                source += stride[d]
                if index[d] < size[d] { break }
                source -= stride[d] * size[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    static func reason(for error: Error, url: URL) -> String {
        if !FileManager.default.fileExists(atPath: url.path) { return "no such file" }
        let ns = error as NSError
        return (ns.localizedFailureReason ?? ns.localizedDescription).replacingOccurrences(of: "\n", with: " ")
    }
}
