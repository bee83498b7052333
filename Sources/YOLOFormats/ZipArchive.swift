import Foundation

/// A minimal read-only zip reader for `torch.save` archives: stored (uncompressed) entries, ZIP64 aware.
struct ZipArchive {
    /// One entry of the central directory.
    struct Entry {
        let name: String
        let method: Int
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    let data: Data
    let fileName: String
    /// Entries in central-directory order.
    let entries: [Entry]
    private let index: [String: Int]

    /// Parses the end-of-central-directory records and the central directory.
    init(data: Data, fileName: String) throws {
        self.data = data.startIndex == 0 ? data : Data(data)
        self.fileName = fileName
        let reader = ByteReader(data: self.data)
        let size = self.data.count

        guard size >= 4, reader.u32(0) == 0x0403_4B50 || reader.u32(0) == 0x0605_4B50 else {
            if size >= 2, reader.u8(0) == 0x80, reader.u8(1) <= 5 {
                throw CheckpointError.notZipArchive(
                    file: fileName, detail: "not a zip-format PyTorch checkpoint (legacy torch format unsupported)")
            }
            throw CheckpointError.notZipArchive(
                file: fileName, detail: "not a PyTorch checkpoint (not a zip archive, \(size) bytes)")
        }

        // Locate the end-of-central-directory record (22 bytes + up to 65535 bytes of comment).
        var eocd = -1
        var pos = size - 22
        let lowest = max(0, size - 22 - 65_535)
        while pos >= lowest {
            if reader.u32(pos) == 0x0605_4B50 { eocd = pos; break }
            pos -= 1
        }
        guard eocd >= 0 else {
            throw CheckpointError.truncated(
                file: fileName, detail: "zip end-of-central-directory record not found in \(size) bytes")
        }
        var entryCount = Int(reader.u16(eocd + 10))
        var cdSize = Int(reader.u32(eocd + 12))
        var cdOffset = Int(reader.u32(eocd + 16))

        // ZIP64: a locator sits right before the EOCD and points to the ZIP64 EOCD record.
        if eocd >= 20, reader.u32(eocd - 20) == 0x0706_4B50 {
            let z64 = reader.u64(eocd - 20 + 8)
            guard z64 >= 0, z64 <= size - 56, reader.u32(z64) == 0x0606_4B50 else {
                throw CheckpointError.corruptArchive(file: fileName, detail: "bad ZIP64 end-of-central-directory record")
            }
            entryCount = reader.u64(z64 + 32)
            cdSize = reader.u64(z64 + 40)
            cdOffset = reader.u64(z64 + 48)
        }
        guard entryCount >= 0, cdSize >= 0, cdOffset >= 0 else {
            throw CheckpointError.corruptArchive(file: fileName, detail: "negative central directory size or offset")
        }
        guard cdOffset <= size, cdSize <= size - cdOffset else {
            let found = max(0, size - cdOffset)
            throw CheckpointError.truncated(
                file: fileName, detail: "expected \(cdSize) bytes of zip central directory, found \(found)")
        }

        var entries: [Entry] = []
        entries.reserveCapacity(min(entryCount, cdSize / 46 + 1))
        var index: [String: Int] = [:]
        var p = cdOffset
        let cdEnd = cdOffset + cdSize
        for n in 0..<entryCount {
            guard p + 46 <= cdEnd, reader.u32(p) == 0x0201_4B50 else {
                throw CheckpointError.corruptArchive(
                    file: fileName, detail: "central directory entry \(n) of \(entryCount) is damaged")
            }
            let method = Int(reader.u16(p + 10))
            var compressed = Int(reader.u32(p + 20))
            var uncompressed = Int(reader.u32(p + 24))
            let nameLength = Int(reader.u16(p + 28))
            let extraLength = Int(reader.u16(p + 30))
            let commentLength = Int(reader.u16(p + 32))
            var localOffset = Int(reader.u32(p + 42))
            let nameStart = p + 46
            guard nameStart + nameLength + extraLength + commentLength <= cdEnd else {
                throw CheckpointError.corruptArchive(file: fileName, detail: "central directory entry \(n) overruns the directory")
            }
            let name = String(decoding: self.data[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            // ZIP64 extended information extra field (id 0x0001): present values replace 0xFFFFFFFF markers.
            var e = nameStart + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = reader.u16(e)
                let length = Int(reader.u16(e + 2))
                var q = e + 4
                let fieldEnd = min(q + length, extraEnd)
                if id == 0x0001 {
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= fieldEnd { uncompressed = reader.u64(q); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= fieldEnd { compressed = reader.u64(q); q += 8 }
                    if localOffset == 0xFFFF_FFFF, q + 8 <= fieldEnd { localOffset = reader.u64(q); q += 8 }
                }
                e += 4 + length
            }
            if index[name] == nil { index[name] = entries.count }
            entries.append(Entry(name: name, method: method, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset))
            p = extraEnd + commentLength
        }
        self.entries = entries
        self.index = index
    }

    /// The entry with exactly this name.
    func entry(named name: String) -> Entry? {
        index[name].map { entries[$0] }
    }

    /// Byte range of an entry's payload inside `data`, validated against the file size.
    func payloadRange(of entry: Entry) throws -> Range<Int> {
        guard entry.method == 0 else {
            throw CheckpointError.unsupportedCompression(file: fileName, entry: entry.name, method: entry.method)
        }
        let reader = ByteReader(data: data)
        let h = entry.localHeaderOffset
        guard h >= 0, h <= data.count - 30 else {
            throw CheckpointError.truncated(
                file: fileName, detail: "local header of entry '\(entry.name)' at byte \(h) lies beyond the \(data.count)-byte file")
        }
        guard reader.u32(h) == 0x0403_4B50 else {
            throw CheckpointError.corruptArchive(file: fileName, detail: "bad local header signature for entry '\(entry.name)'")
        }
        let start = h + 30 + Int(reader.u16(h + 26)) + Int(reader.u16(h + 28))
        let size = entry.compressedSize
        guard size >= 0, start <= data.count, size <= data.count - start else {
            throw CheckpointError.truncated(
                file: fileName,
                detail: "entry '\(entry.name)' needs \(size) bytes at byte \(start), file has \(data.count) bytes")
        }
        return start..<(start + size)
    }

    /// The payload bytes of an entry (a zero-copy slice of the mapped file).
    func payload(of entry: Entry) throws -> Data {
        data[try payloadRange(of: entry)]
    }
}

/// Bounds-tolerant little-endian reads from a Data whose startIndex is 0 (out-of-range reads return 0).
struct ByteReader {
    let data: Data

    func u8(_ offset: Int) -> UInt8 {
        guard offset >= 0, offset < data.count else { return 0 }
        return data[offset]
    }

    func u16(_ offset: Int) -> UInt16 {
        guard offset >= 0, offset <= data.count - 2 else { return 0 }
        return UInt16(data[offset]) | UInt16(data[offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset <= data.count - 4 else { return 0 }
        return UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16
    }

    /// Reads a UInt64 as Int; values above Int.max become -1 (treated as invalid by callers).
    func u64(_ offset: Int) -> Int {
        guard offset >= 0, offset <= data.count - 8 else { return -1 }
        let v = UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32
        return v > UInt64(Int.max) ? -1 : Int(v)
    }
}
