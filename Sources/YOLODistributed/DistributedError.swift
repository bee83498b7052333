import Foundation

/// Why the distributed set-up or a collective operation failed.
public enum DistributedError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `mpirun` started this process but libmpi could not be loaded.
    case libraryUnavailable(String)
    /// An MPI call returned an error code.
    case operationFailed(operation: String, code: Int32, message: String)
    /// The environment `mpirun` sets disagrees with what MPI reports.
    case inconsistentEnvironment(String)

    public var description: String {
        switch self {
        case .libraryUnavailable(let reason):
            return "this process was started by mpirun but Open MPI's library could not be loaded (\(reason)); "
                + "install it with `apt-get install openmpi-bin` or set YOLO_MPI_LIBRARY to libmpi's path"
        case .operationFailed(let op, let code, let message):
            return "\(op) failed with MPI error \(code): \(message)"
        case .inconsistentEnvironment(let reason):
            return "inconsistent MPI environment: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
