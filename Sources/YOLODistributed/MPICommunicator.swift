import CMPI
import Foundation

/// The processes one `mpirun` started (Open MPI, loaded at run time): MPI_COMM_WORLD.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let localRank: Int
    public let localSize: Int

    /// Loads libmpi (`YOLO_MPI_LIBRARY`, else libmpi.so.40), initializes MPI for serialized use from any thread and
    /// reads the rank and size; the local rank and size come from Open MPI's environment.
    init(environment: MPIEnvironment) throws {
        var message = [CChar](repeating: 0, count: 1024)
        let library = ProcessInfo.processInfo.environment["YOLO_MPI_LIBRARY"]
        let loaded = library.map { yolo_mpi_load($0, &message, message.count) } ?? yolo_mpi_load(nil, &message, message.count)
        guard loaded == 0 else {
            throw DistributedError.libraryUnavailable(String(cString: message))
        }
        var flag: Int32 = 0
        try MPICommunicator.check("MPI_Initialized", yolo_mpi_initialized(&flag))
        if flag == 0 {
            var provided: Int32 = 0
            try MPICommunicator.check("MPI_Init_thread", yolo_mpi_init(&provided))
        }
        var r: Int32 = 0, s: Int32 = 0
        try MPICommunicator.check("MPI_Comm_rank", yolo_mpi_rank(&r))
        try MPICommunicator.check("MPI_Comm_size", yolo_mpi_size(&s))
        guard Int(r) == environment.rank, Int(s) == environment.size else {
            throw DistributedError.inconsistentEnvironment(
                "OMPI_COMM_WORLD_RANK/SIZE say \(environment.rank)/\(environment.size), MPI says \(r)/\(s)")
        }
        rank = Int(r)
        size = Int(s)
        localRank = environment.localRank
        localSize = environment.localSize
        atexit { MPICommunicator.finalizeAtExit() }
    }

    static func check(_ operation: String, _ code: Int32) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        yolo_mpi_error_text(code, &text, text.count)
        throw DistributedError.operationFailed(operation: operation, code: code, message: String(cString: text))
    }

    /// MPI_Finalize when the process exits normally (mpirun reports ranks that exit without it).
    static func finalizeAtExit() {
        var flag: Int32 = 0
        if yolo_mpi_finalized(&flag) == 0, flag == 0 { _ = yolo_mpi_finalize() }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try MPICommunicator.check("MPI_Allreduce(sum, \(buffer.count) floats)",
                                  yolo_mpi_allreduce_sum_float(base, Int64(buffer.count)))
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try MPICommunicator.check("MPI_Allreduce(sum, \(buffer.count) doubles)",
                                  yolo_mpi_allreduce_sum_double(base, Int64(buffer.count)))
    }

    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try MPICommunicator.check("MPI_Allreduce(max, \(buffer.count) int64)",
                                  yolo_mpi_allreduce_max_int64(base, Int64(buffer.count)))
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try MPICommunicator.check("MPI_Bcast(\(buffer.count) bytes from rank \(root))",
                                  yolo_mpi_bcast(base, Int64(buffer.count), Int32(root)))
    }

    public func gather(_ data: Data, root: Int) throws -> [Data]? {
        var sizes = [Int64](repeating: 0, count: size)
        try MPICommunicator.check("MPI_Allgather(sizes)", yolo_mpi_allgather_int64(Int64(data.count), &sizes))
        guard sizes.allSatisfy({ $0 <= Int64(Int32.max) }), sizes.reduce(0, +) <= Int64(Int32.max) else {
            throw DistributedError.operationFailed(operation: "MPI_Gatherv", code: -1,
                                                   message: "more than 2 GiB gathered (\(sizes) bytes)")
        }
        let counts = sizes.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: size)
        for i in 1..<max(size, 1) { displacements[i] = displacements[i - 1] + counts[i - 1] }
        let total = Int(sizes.reduce(0, +))
        var received = [UInt8](repeating: 0, count: rank == root ? max(total, 1) : 0)
        let code: Int32 = data.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { recv in
                yolo_mpi_gatherv(send.baseAddress, Int32(data.count), rank == root ? recv.baseAddress : nil,
                                 counts, displacements, Int32(root))
            }
        }
        try MPICommunicator.check("MPI_Gatherv", code)
        guard rank == root else { return nil }
        return (0..<size).map { i in
            Data(received[Int(displacements[i])..<Int(displacements[i]) + Int(counts[i])])
        }
    }

    public func barrier() throws {
        try MPICommunicator.check("MPI_Barrier", yolo_mpi_barrier())
    }

    public func abort(code: Int32) -> Never {
        FileHandle.standardOutput.synchronizeFile()
        yolo_mpi_abort(code)
        exit(code)
    }
}
