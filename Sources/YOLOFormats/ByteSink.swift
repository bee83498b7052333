import Foundation

/// Where a writer sends its bytes: memory or an open file.
public protocol ByteSink: AnyObject {
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    /// Appends the bytes of `data`.
    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// Appends a byte array.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Collects bytes in memory.
public final class DataSink: ByteSink {
    /// Everything written so far.
    public private(set) var data = Data()

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        data.append(contentsOf: bytes)
    }
}

/// Writes to a file descriptor through a 1 MiB buffer. `flush()` must be called before the descriptor is synced.
public final class FileDescriptorSink: ByteSink {
    private let fd: Int32
    private let fileName: String
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 20

    /// Wraps an open, writable descriptor; `fileName` names the destination in errors.
    public init(fd: Int32, fileName: String) {
        self.fd = fd
        self.fileName = fileName
        buffer.reserveCapacity(Self.capacity)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.capacity { try flush() }
        if bytes.count >= Self.capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes out the buffered bytes.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Foundation.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.writeFailed(file: fileName, reason: String(cString: strerror(errno)))
            }
            p += n
            left -= n
        }
    }
}
