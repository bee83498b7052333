import Foundation

/// Writes the zip container of `torch.save`, laid out the way PyTorch's stream writer lays it out:
///
/// * stored (uncompressed) records, every payload starting on a 64-byte boundary: the local header's extra field
///   is an "FB" block of `Z` padding;
/// * local headers with zero CRC and sizes, general-purpose flags 0x0808 (data descriptor follows, UTF-8 names),
///   zero version and timestamps, each non-empty payload followed by a 16-byte data descriptor;
/// * the central directory, then a ZIP64 end-of-central-directory record and locator, then the classic one.
///
/// Records go under `<archiveName>/`. `finish()` adds `version` and `.data/serialization_id` as torch does.
public final class TorchZipWriter {
    private struct Record {
        let name: [UInt8]
        let offset: Int
        let size: Int
        let crc: UInt32
        let flags: Int
    }

    /// Payload alignment of `torch.save` (also recorded in `.storage_alignment`).
    public static let alignment = 64

    private let sink: ByteSink
    private let archiveName: String
    private let fileName: String
    private var records: [Record] = []
    private var offset = 0

    /// - Parameters:
    ///   - sink: where the archive bytes go.
    ///   - archiveName: the root folder of every record (torch uses the file stem, or "archive" for a buffer).
    ///   - fileName: the destination's name for error messages.
    public init(sink: ByteSink, archiveName: String, fileName: String) {
        self.sink = sink
        self.archiveName = archiveName
        self.fileName = fileName
    }

    /// Writes `data.pkl`, the format markers and every storage (`data/<key>`), as torch orders them.
    public func writeArchive(pickle: Data, storages: [(key: String, tensor: StoredTensor)]) throws {
        try addRecord("data.pkl", pickle)
        try addRecord(".format_version", Data("1".utf8))
        try addRecord(".storage_alignment", Data(String(Self.alignment).utf8))
        try addRecord("byteorder", Data("little".utf8))
        for (key, tensor) in storages { try addRecord("data/\(key)", tensor.bytes) }
        try finish()
    }

    /// Appends one stored record named `<archiveName>/<name>`.
    public func addRecord(_ name: String, _ payload: Data) throws {
        let fullName = Array("\(archiveName)/\(name)".utf8)
        guard fullName.count <= 0xFFFF else {
            throw CheckpointError.writeFailed(file: fileName, reason: "zip entry name longer than 65535 bytes")
        }
        let headerEnd = offset + 30 + fullName.count + 4
        let padding = (Self.alignment - headerEnd % Self.alignment) % Self.alignment
        // Like torch's writer, an empty record has no data descriptor (and no flag announcing one).
        let flags = payload.isEmpty ? 0x0800 : 0x0808
        guard offset + 30 + fullName.count + 4 + padding + payload.count + 16 < 0xFFFF_FFFF else {
            throw CheckpointError.writeFailed(file: fileName, reason: "checkpoint larger than 4 GiB is not supported")
        }
        var header = Bytes()
        header.u32(0x0403_4B50)
        header.u16(0)          // version needed
        header.u16(flags)      // 0x0008: data descriptor follows; 0x0800: UTF-8 name
        header.u16(0)          // stored
        header.u16(0); header.u16(0)  // time, date
        header.u32(0); header.u32(0); header.u32(0)  // crc, sizes: in the data descriptor
        header.u16(fullName.count)
        header.u16(4 + padding)
        header.raw.append(contentsOf: fullName)
        header.raw.append(contentsOf: Array("FB".utf8))
        header.u16(padding)
        header.raw.append(contentsOf: [UInt8](repeating: 0x5A, count: padding))  // "Z"
        try sink.write(header.raw)
        let crc = CRC32.checksum(payload)
        try sink.write(payload)
        var descriptor = Bytes()
        if !payload.isEmpty {
            descriptor.u32(0x0807_4B50)
            descriptor.u32(crc)
            descriptor.u32(UInt32(payload.count))
            descriptor.u32(UInt32(payload.count))
            try sink.write(descriptor.raw)
        }
        records.append(Record(name: fullName, offset: offset, size: payload.count, crc: crc, flags: flags))
        offset += header.raw.count + payload.count + descriptor.raw.count
    }

    /// Appends `version` and `.data/serialization_id`, then the central directory and end records.
    /// - Parameter version: the `version` record: "3\n" for `torch.save`; TorchScript archives record the file
    ///   format version their operators need.
    public func finish(version: String = "3\n") throws {
        try addRecord("version", Data(version.utf8))
        try addRecord(".data/serialization_id", Data(serializationID().utf8))
        let directoryOffset = offset
        var directory = Bytes()
        for r in records {
            directory.u32(0x0201_4B50)
            directory.u16(0); directory.u16(0)  // made by, needed
            directory.u16(r.flags)
            directory.u16(0)
            directory.u16(0); directory.u16(0)
            directory.u32(r.crc)
            directory.u32(UInt32(r.size)); directory.u32(UInt32(r.size))
            directory.u16(r.name.count)
            directory.u16(0); directory.u16(0); directory.u16(0); directory.u16(0)  // extra, comment, disk, internal
            directory.u32(0)  // external attributes
            directory.u32(UInt32(r.offset))
            directory.raw.append(contentsOf: r.name)
        }
        let directorySize = directory.raw.count
        let zip64Offset = directoryOffset + directorySize
        var end = Bytes()
        end.u32(0x0606_4B50)
        end.u64(44)
        end.u16(30); end.u16(45)  // made by, needed (ZIP64)
        end.u32(0); end.u32(0)
        end.u64(records.count); end.u64(records.count)
        end.u64(directorySize); end.u64(directoryOffset)
        end.u32(0x0706_4B50)
        end.u32(0)
        end.u64(zip64Offset)
        end.u32(1)
        end.u32(0x0605_4B50)
        end.u16(0); end.u16(0)
        end.u16(min(records.count, 0xFFFF)); end.u16(min(records.count, 0xFFFF))
        end.u32(UInt32(min(directorySize, 0xFFFF_FFFF)))
        end.u32(UInt32(min(directoryOffset, 0xFFFF_FFFF)))
        end.u16(0)
        try sink.write(directory.raw)
        try sink.write(end.raw)
        offset += directory.raw.count + end.raw.count
    }

    /// Forty digits like torch's: a 64-bit hash of the record names then torch's hash-combined CRC-32s of the
    /// non-empty records, each as 20 zero-padded decimal digits. (The CRC half matches torch; torch combines the names in an
    /// order of its own, so the first half is this project's.)
    private func serializationID() -> String {
        var names: UInt64 = 0
        for r in records.reversed() { names = Self.hashCombine(names, Self.stringHash(r.name.dropFirst(archiveName.utf8.count + 1))) }
        var crcs: UInt64 = 0
        for r in records where r.size > 0 { crcs = Self.hashCombine(crcs, UInt64(r.crc)) }
        func digits(_ v: UInt64) -> String {
            let s = String(v)
            return String(repeating: "0", count: 20 - s.count) + s
        }
        return digits(names) + digits(crcs)
    }

    static func hashCombine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        seed ^ (value &+ 0x9E37_79B9 &+ (seed << 6) &+ (seed >> 2))
    }

    /// The 64-bit string hash of the GNU C++ library (a MurmurHash2 variant, seed 0xc70f6907).
    static func stringHash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        let b = Array(bytes)
        let mul: UInt64 = (0xC6A4_A793 << 32) + 0x5BD1_E995
        func shiftMix(_ v: UInt64) -> UInt64 { v ^ (v >> 47) }
        var hash = 0xC70F_6907 ^ (UInt64(b.count) &* mul)
        let aligned = b.count & ~7
        var i = 0
        while i < aligned {
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(b[i + k]) << (8 * UInt64(k)) }
            hash ^= shiftMix(word &* mul) &* mul
            hash = hash &* mul
            i += 8
        }
        if b.count & 7 != 0 {
            var word: UInt64 = 0
            for k in (aligned..<b.count).reversed() { word = (word << 8) + UInt64(b[k]) }
            hash ^= word
            hash = hash &* mul
        }
        hash = shiftMix(hash) &* mul
        return shiftMix(hash)
    }
}

/// Little-endian field packing for zip structures.
private struct Bytes {
    var raw: [UInt8] = []
    mutating func u16(_ v: Int) { raw.append(UInt8(v & 0xFF)); raw.append(UInt8((v >> 8) & 0xFF)) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { raw.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: Int) { for i in 0..<8 { raw.append(UInt8(truncatingIfNeeded: UInt64(v) >> (8 * UInt64(i)))) } }
}
