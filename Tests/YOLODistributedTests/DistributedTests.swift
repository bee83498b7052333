import Foundation
import XCTest
@testable import YOLODistributed

/// The pieces of the distributed seam that need no second process: Open MPI's environment, how lists are split,
/// threads per rank and the group of one.
final class DistributedTests: XCTestCase {
    func testEnvironmentFromOpenMPIVariables() {
        let env = ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3",
                   "OMPI_COMM_WORLD_LOCAL_RANK": "1", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]
        XCTAssertEqual(MPIEnvironment(env), MPIEnvironment(rank: 3, size: 4, localRank: 1, localSize: 2))
        XCTAssertNil(MPIEnvironment([:]))
        XCTAssertNil(MPIEnvironment(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "2"]), "rank out of range")
        XCTAssertNil(MPIEnvironment(["OMPI_COMM_WORLD_SIZE": "x", "OMPI_COMM_WORLD_RANK": "0"]))
    }

    func testShardsAreContiguousDisjointAndCoverTheList() {
        for count in [0, 1, 5, 8, 13] {
            for size in 1...5 {
                let parts = (0..<size).map { Distributed.shard(count, rank: $0, size: size) }
                XCTAssertEqual(parts.flatMap { Array($0) }, Array(0..<count), "count \(count) size \(size)")
                XCTAssertLessThanOrEqual((parts.map(\.count).max() ?? 0) - (parts.map(\.count).min() ?? 0), 1)
            }
        }
        XCTAssertEqual(Distributed.shard(5, rank: 0, size: 2), 0..<3)
        XCTAssertEqual(Distributed.shard(5, rank: 1, size: 2), 3..<5)
    }

    func testThreadsPerRankShareTheCores() {
        let two = ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]
        XCTAssertEqual(Distributed.threadsPerRank(environment: two, cores: 8), 4)
        XCTAssertEqual(Distributed.threadsPerRank(environment: two, cores: 1), 1)
        XCTAssertNil(Distributed.threadsPerRank(environment: two.merging(["OMP_NUM_THREADS": "3"]) { $1 }, cores: 8),
                     "the user's OMP_NUM_THREADS wins")
        XCTAssertNil(Distributed.threadsPerRank(environment: [:], cores: 8), "not under mpirun")
    }

    func testSingleProcessIsTheIdentity() throws {
        let one = SingleProcess()
        var values: [Float] = [1, 2, 3]
        try one.allReduceSum(&values)
        XCTAssertEqual(values, [1, 2, 3])
        XCTAssertEqual(try one.broadcast("runs/pose/train"), "runs/pose/train")
        XCTAssertEqual(try one.gather(Data([7]), root: 0), [Data([7])])
        XCTAssertEqual(one.shard(5), 0..<5)
        XCTAssertTrue(one.isMain)
    }

    func testMissingLibraryIsAClearError() {
        let error = DistributedError.libraryUnavailable("libmpi.so.40: cannot open shared object file")
        XCTAssertTrue(error.localizedDescription.contains("apt-get install openmpi-bin"))
    }
}
