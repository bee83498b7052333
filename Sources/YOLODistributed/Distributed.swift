import Foundation

/// What `mpirun` (Open MPI) tells a process it started, through its environment.
public struct MPIEnvironment: Equatable, Sendable {
    public var rank: Int
    public var size: Int
    public var localRank: Int
    public var localSize: Int

    public init(rank: Int, size: Int, localRank: Int, localSize: Int) {
        self.rank = rank
        self.size = size
        self.localRank = localRank
        self.localSize = localSize
    }

    /// Reads `OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK,LOCAL_SIZE}`; nil when the process was not started by mpirun.
    public init?(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init),
              let rank = environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init), size >= 1, (0..<size).contains(rank)
        else { return nil }
        self.rank = rank
        self.size = size
        localRank = environment["OMPI_COMM_WORLD_LOCAL_RANK"].flatMap(Int.init) ?? rank
        localSize = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? size
    }
}

/// The process group this run belongs to: Open MPI's when started by `mpirun` with more than one process, else the
/// group of one. Created once, on first use.
public enum Distributed {
    nonisolated(unsafe) private static var current: Communicator?
    private static let lock = NSLock()

    /// The group of this process (MPI is initialized on the first call under mpirun).
    public static func world() throws -> Communicator {
        lock.lock()
        defer { lock.unlock() }
        if let current { return current }
        let made: Communicator
        if let env = MPIEnvironment(), env.size > 1 {
            made = try MPICommunicator(environment: env)
        } else {
            made = SingleProcess()
        }
        current = made
        return made
    }

    /// The group if one was already created, without creating it.
    public static var existing: Communicator? {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Threads each process should give oneDNN/OpenMP: the machine's cores shared by the ranks on it (at least 1).
    /// `OMP_NUM_THREADS`, when set, wins.
    public static func threadsPerRank(environment: [String: String] = ProcessInfo.processInfo.environment,
                                      cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int? {
        if environment["OMP_NUM_THREADS"] != nil { return nil }
        guard let env = MPIEnvironment(environment), env.localSize > 1 else { return nil }
        return max(1, cores / env.localSize)
    }
}
