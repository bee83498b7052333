import Foundation

/// The collective operations data-parallel training and sharded prediction need: one process of a group of
/// `size`, numbered `rank`. `SingleProcess` is the group of one (every operation is the identity), `MPICommunicator`
/// spans the processes `mpirun` started; the engine calls the same operations either way.
///
/// Every rank must make the same calls in the same order with the same element counts (as with MPI itself).
public protocol Communicator: AnyObject {
    /// This process's number in the group, 0 ..< size. Rank 0 validates, logs and writes checkpoints.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// This process's number among the processes of its machine, and how many run there.
    var localRank: Int { get }
    var localSize: Int { get }

    /// Replaces `buffer` on every rank by the element-wise sum over all ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Replaces `buffer` on every rank by the element-wise maximum over all ranks.
    func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws
    /// Copies `root`'s bytes into `buffer` on every other rank (all ranks pass buffers of the same size).
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Each rank's `data` (any length) delivered to `root` in rank order; nil on the other ranks.
    func gather(_ data: Data, root: Int) throws -> [Data]?
    /// Returns once every rank has called it.
    func barrier() throws
    /// Ends every process of the group with `code` (a failed rank calls this so the others do not wait forever).
    func abort(code: Int32) -> Never
}

/// The group of one process: what every run without `mpirun` uses.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localRank: Int { 0 }
    public var localSize: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
    public func gather(_ data: Data, root: Int) throws -> [Data]? { [data] }
    public func barrier() throws {}
    public func abort(code: Int32) -> Never { exit(code) }
}
