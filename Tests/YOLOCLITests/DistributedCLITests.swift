import Foundation
import XCTest
import YOLOTestSupport

/// Sharded predict and val over Open MPI (issue 13): `mpirun -np 2 yolo pose predict|val …` writes exactly what one
/// process writes and prints the same metrics. Needs mpirun (skipped without it unless YOLO_REQUIRE_MPI=1).
final class DistributedCLITests: XCTestCase {
    let model = Fixtures.path("overfit-n-pose.pt")

    /// All eight coco8-pose images in one folder.
    func imageFolder(in work: URL) throws -> URL {
        let folder = work.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for split in ["train", "val"] {
            let dir = Fixtures.coco8Pose.appendingPathComponent("images/\(split)")
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                try FileManager.default.copyItem(at: dir.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            }
        }
        return folder
    }

    /// `yolo args name=one` as one process and `name=two` on two ranks, both required to succeed.
    func runOnceAndOnTwoRanks(_ args: [String]) throws -> (one: YOLOBinary.Run, two: YOLOBinary.Run) {
        let one = try YOLOBinary.run(args + ["name=one"], testClass: Self.self)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try MPIRun.yolo(args + ["name=two"], testClass: Self.self)
        XCTAssertEqual(two.status, 0, two.stderr + two.stdout)
        return (one, two)
    }

    func labels(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return out
    }

    func testShardedPredictWritesWhatOneProcessWrites() throws {
        _ = try MPIRun.path()
        let work = try TempDirectory.make(for: self, prefix: "mpi-predict")
        let source = try imageFolder(in: work).path
        let common = ["pose", "predict", "model=\(model)", "source=\(source)", "save_txt=True", "save_conf=True",
                      "project=\(work.path)"]
        let (one, two) = try runOnceAndOnTwoRanks(common)
        let expected = try labels(work.appendingPathComponent("one/labels"))
        XCTAssertEqual(expected.count, 8, "the model finds people in every image")
        XCTAssertEqual(try labels(work.appendingPathComponent("two/labels")), expected)
        let annotated = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("two").path)
            .filter { $0.hasSuffix(".jpg") }
        XCTAssertEqual(annotated.count, 8)
        // Each rank prints its own images, rank 0 the totals once.
        XCTAssertEqual(two.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("image ") }.count, 8, two.stdout)
        XCTAssertEqual(two.stdout.components(separatedBy: "8 labels saved to").count, 2, two.stdout)
        XCTAssertEqual(two.stdout.components(separatedBy: "YOLOv8-pose Swift").count, 2, "one banner")
    }

    func testShardedValPrintsTheSingleProcessMetrics() throws {
        _ = try MPIRun.path()
        let work = try TempDirectory.make(for: self, prefix: "mpi-val")
        let yaml = work.appendingPathComponent("data.yaml")
        try """
            path: \(Fixtures.coco8Pose.path)
            train: images/train
            val: [images/train, images/val]
            kpt_shape: [17, 3]
            flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
            names:
              0: person

            """.write(to: yaml, atomically: true, encoding: .utf8)
        // batch=2: four batches, two per rank.
        let common = ["pose", "val", "model=\(model)", "data=\(yaml.path)", "batch=2", "save_json=True",
                      "project=\(work.path)"]
        let (one, two) = try runOnceAndOnTwoRanks(common)
        func table(_ text: String) -> [String] {
            text.components(separatedBy: .newlines).map { $0.components(separatedBy: "\u{1B}[K").last ?? $0 }
                .filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("all ") }
        }
        XCTAssertEqual(table(one.stdout).count, 1, one.stdout)
        XCTAssertEqual(table(two.stdout), table(one.stdout), two.stdout)
        XCTAssertTrue(two.stdout.contains("Validating on 2 ranks"))
        let a = try Data(contentsOf: work.appendingPathComponent("one/predictions.json"))
        let b = try Data(contentsOf: work.appendingPathComponent("two/predictions.json"))
        XCTAssertGreaterThan(a.count, 100)
        XCTAssertEqual(a, b, "predictions.json in the same order")
        // Plots from the merged statistics and counts, and val_batch0…2 drawn by the ranks holding those batches.
        for name in ["confusion_matrix.png", "confusion_matrix_normalized.png", "BoxPR_curve.png", "PosePR_curve.png",
                     "val_batch0_pred.jpg", "val_batch1_pred.jpg", "val_batch2_pred.jpg", "val_batch2_labels.jpg"] {
            let x = try? Data(contentsOf: work.appendingPathComponent("one/\(name)"))
            let y = try? Data(contentsOf: work.appendingPathComponent("two/\(name)"))
            XCTAssertNotNil(x, name)
            XCTAssertEqual(x, y, name)
        }
    }

    /// A rank that fails (here: its dataset is missing on its "host") prints one line naming itself and ends the
    /// whole job; mpirun exits non-zero instead of the other rank waiting forever.
    func testFailingRankEndsTheJob() throws {
        let mpirun = try MPIRun.path()
        let work = try TempDirectory.make(for: self, prefix: "mpi-fail")
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        let binary = try YOLOBinary.url(for: Self.self).path
        let common = ["pose", "train", "model=\(Fixtures.path("tiny-pose.yaml"))", "epochs=2", "imgsz=64", "batch=4",
                      "pretrained=False", "plots=False", "project=\(work.path)", "name=fail"]
        // Two application contexts: rank 0 with the dataset, rank 1 with a path that does not exist.
        let args = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "1", binary] + common
            + ["data=\(yaml)", ":", "-np", "1", binary] + common + ["data=\(work.path)/missing.yaml"]
        let start = Date()
        let run = try YOLOBinary.run(["-s", "KILL", "120", mpirun] + args, testClass: Self.self,
                                     executable: "/usr/bin/timeout")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertNotEqual(run.status, 137, "killed by the timeout: the job hung")
        XCTAssertLessThan(Date().timeIntervalSince(start), 100)
        let errors = (run.stderr + run.stdout).components(separatedBy: "\n").filter { $0.hasPrefix("Error: ") }
        XCTAssertEqual(errors.count, 1, run.stderr + run.stdout)
        XCTAssertTrue(errors.first?.hasPrefix("Error: rank 1/2: ") ?? false, errors.first ?? "")
        XCTAssertTrue(errors.first?.contains("missing.yaml") ?? false, errors.first ?? "")
    }
}
