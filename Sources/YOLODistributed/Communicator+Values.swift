import Foundation

extension Communicator {
    /// Whether this process is the one that logs, validates and writes (rank 0).
    public var isMain: Bool { rank == 0 }

    /// Sum over ranks of a float array, in place.
    public func allReduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Sum over ranks of a double array, in place.
    public func allReduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Root's float array on every rank (all ranks pass arrays of the same length).
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }

    /// Root's integers on every rank (all ranks pass arrays of the same length).
    public func broadcast(_ values: inout [Int64], root: Int = 0) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }

    /// Root's bytes of any length on every rank: the length first, then the bytes.
    public func broadcast(_ data: Data, root: Int = 0) throws -> Data {
        guard size > 1 else { return data }
        var length: [Int64] = [Int64(data.count)]
        try broadcast(&length, root: root)
        var bytes = rank == root ? [UInt8](data) : [UInt8](repeating: 0, count: Int(length[0]))
        try bytes.withUnsafeMutableBytes { try broadcast($0, root: root) }
        return Data(bytes)
    }

    /// Root's string on every rank.
    public func broadcast(_ text: String, root: Int = 0) throws -> String {
        String(decoding: try broadcast(Data(text.utf8), root: root), as: UTF8.self)
    }

    /// Runs `body` on rank 0 first and on the other ranks once it has finished (torch's
    /// `torch_distributed_zero_first`): rank 0 writes what the others then read, such as a label cache. An error
    /// is thrown only after the ordering barrier, so no rank is left waiting.
    public func rankZeroFirst<T>(_ body: () throws -> T) throws -> T {
        if rank != 0 { try barrier() }
        let result = Result { try body() }
        if rank == 0 { try barrier() }
        return try result.get()
    }

    /// The indices `0..<count` this rank takes when a list is split across the group: contiguous slices, the first
    /// `count % size` ranks one longer (so the union in rank order is the original order).
    public func shard(_ count: Int) -> Range<Int> {
        Distributed.shard(count, rank: rank, size: size)
    }
}

extension Distributed {
    /// Rank `rank`'s contiguous slice of `0..<count` split over `size` ranks (the first `count % size` one longer).
    public static func shard(_ count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}
