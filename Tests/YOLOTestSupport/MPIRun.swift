import Foundation
import XCTest

/// Open MPI's launcher for the distributed tests (Debian's openmpi-bin, which Scripts/setup.sh installs).
public enum MPIRun {
    /// The mpirun path; skips the test when there is none, unless YOLO_REQUIRE_MPI=1 (Scripts/test.sh), where a
    /// missing mpirun fails it.
    public static func path() throws -> String {
        for path in ["/usr/bin/mpirun", "/usr/local/bin/mpirun"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        if ProcessInfo.processInfo.environment["YOLO_REQUIRE_MPI"] == "1" {
            XCTFail("mpirun not found (apt-get install openmpi-bin)")
        }
        throw XCTSkip("mpirun not found (apt-get install openmpi-bin)")
    }

    /// `mpirun -np <ranks>` options for loopback tests run as any user, with the ranks unbound (they share the
    /// cores of a small machine).
    public static func arguments(ranks: Int) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", String(ranks)]
    }

    /// Runs `yolo args` on `ranks` ranks under mpirun.
    public static func yolo(_ args: [String], ranks: Int = 2, env: [String: String] = [:], testClass: AnyClass) throws -> YOLOBinary.Run {
        let binary = try YOLOBinary.url(for: testClass).path
        return try YOLOBinary.run(arguments(ranks: ranks) + [binary] + args, env: env, testClass: testClass,
                                  executable: try path())
    }
}
