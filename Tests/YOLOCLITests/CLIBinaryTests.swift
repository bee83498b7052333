import Foundation
import XCTest
import YOLOCLI
import YOLOTestSupport

/// Runs the built `yolo` binary, as a user would, and checks exit codes and one-line errors.
final class CLIBinaryTests: XCTestCase {
    typealias Run = YOLOBinary.Run

    func yolo(_ args: [String], env: [String: String] = [:]) throws -> Run {
        try YOLOBinary.run(args, env: env, testClass: CLIBinaryTests.self)
    }

    func assertOneLineError(_ r: Run, contains: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, "exit status", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "expected one error line, got: \(r.stderr)", file: file, line: line)
        for c in contains { XCTAssertTrue(r.stderr.contains(c), "'\(c)' not in: \(r.stderr)", file: file, line: line) }
    }

    func testInfoOnTrainedCheckpoint() throws {
        let r = try yolo(["pose", "info", "model=\(Fixtures.path("trained-n-pose.pt"))", "imgsz=320"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("task=pose scale=n nc=1 kpt_shape=[17, 3] stride=[8, 16, 32]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("names: 0: person"), r.stdout)
        XCTAssertTrue(r.stdout.contains("3,295,470 parameters"), r.stdout)   // spec §1.3, unfused
        XCTAssertTrue(r.stdout.contains("fused: 3,289,964 parameters"), r.stdout)
        XCTAssertTrue(r.stdout.contains("output [1, 56, 2100]"), r.stdout)
    }

    func testTruncatedCheckpoint() throws {
        let data = try Data(contentsOf: Fixtures.url("rand-n-pose.pt"))
        let path = NSTemporaryDirectory() + "truncated-\(UUID().uuidString).pt"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        assertOneLineError(try yolo(["pose", "info", "model=\(path)"]), contains: [(path as NSString).lastPathComponent, "truncated"])
    }

    func testZipThatIsNotACheckpoint() throws {
        let path = Fixtures.path("formats/not-checkpoint.zip")
        guard FileManager.default.fileExists(atPath: path) else { XCTFail("missing fixture \(path)"); return }
        let copy = NSTemporaryDirectory() + "plain-\(UUID().uuidString).pt"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        assertOneLineError(try yolo(["pose", "info", "model=\(copy)"]), contains: [(copy as NSString).lastPathComponent, "checkpoint"])
    }

    func testCheckpointOfAnotherTask() throws {
        assertOneLineError(try yolo(["pose", "info", "model=\(Fixtures.path("tiny-detect.pt"))"]),
                           contains: ["tiny-detect.pt", "'detect'", "'pose'"])
    }

    func testOfflineDownloadIsAClearError() throws {
        let dir = NSTemporaryDirectory() + "offline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try yolo(["pose", "info", "model=yolov8s-pose.pt"], env: ["YOLO_OFFLINE": "1"])
        assertOneLineError(r, contains: ["yolov8s-pose.pt", "releases/download", "offline"])
    }

    func testUnknownTokenListsValidArguments() throws {
        assertOneLineError(try yolo(["pose", "bogus"]), contains: ["'bogus'", "predict"])
    }

    func testValPrintsTheReferenceTable() throws {
        // Reference table lines from Tests/Fixtures/val/overfit-640.json (Scripts/reference/make_val_fixtures.py).
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("val/overfit-640.json"))) as! [String: Any]
        let dataDir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("coco8-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let yaml = try Fixtures.writeCoco8PoseYAML(in: dataDir)
        let project = NSTemporaryDirectory() + "val-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: project) }
        let r = try yolo(["pose", "val", "model=\(Fixtures.path("overfit-n-pose.pt"))", "data=\(yaml)", "imgsz=640", "batch=16",
                          "project=\(project)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // plots=True by default on the CLI, as in Ultralytics.
        for file in ["BoxPR_curve.png", "PoseF1_curve.png", "confusion_matrix.png", "val_batch0_pred.jpg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(project)/val/\(file)"), file)
        }
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // The header is the progress bar's description on stdout, as in Ultralytics 8.4.190 (its own TQDM).
        XCTAssertTrue(r.stdout.contains((ref["header"] as! String) + ": 100% ━━━━━━━━━━━━ 1/1 "), r.stdout)
        XCTAssertTrue(lines.contains(ref["row"] as! String), r.stdout)
    }

    func testVersion() throws {
        let r = try yolo(["version"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.hasPrefix("8.4.190"), r.stdout)
    }

    func testDefaultConfigPrintout() throws {
        let r = try yolo(["cfg"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let keys = r.stdout.split(separator: "\n").dropFirst(1).compactMap { $0.split(separator: ":").first.map(String.init) }
        XCTAssertEqual(Array(keys.prefix(5)), ["task", "mode", "model", "data", "epochs"])
        XCTAssertTrue(r.stdout.contains("\nconf: null\n") && r.stdout.contains("\ntracker: tracktrack.yaml\n"), r.stdout)
    }

    func testValueErrorIsOneLine() throws {
        assertOneLineError(try yolo(["predict", "conf=2"]),
                           contains: ["Error: 'conf=2' is an invalid value. Valid 'conf' values are between 0.0 and 1.0."])
        assertOneLineError(try yolo(["predict", "save=1"]),
                           contains: ["'save=1' is of invalid type int. 'save' must be a bool (i.e. 'save=True' or 'save=False')"])
    }

    func testMisspelledWordGetsSuggestions() throws {
        let r = try yolo(["posee"])
        assertOneLineError(r, contains: ["'posee' is not a valid YOLO argument. Similar arguments are i.e. ['pose', 'seed=0', 'plots=True']."])
        XCTAssertTrue(r.stdout.contains("yolo TASK MODE ARGS"), r.stdout)   // usage text, as the reference shows
    }

    func testVersionAliases() throws {
        for flag in ["-v", "v", "--version"] {
            let r = try yolo([flag])
            XCTAssertEqual(r.status, 0, flag)
            XCTAssertEqual(r.stdout, CLI.version + "\n", flag)
        }
    }

    /// Every mode of the reference's grammar either runs (it gets as far as the missing model or dataset) or answers
    /// "not available", and the ones that run are exactly those the message lists (`CLIGrammar.implementedModes`).
    func testEveryModeRunsOrSaysItIsNotAvailable() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for mode in CLIGrammar.modes {
            let r = try YOLOBinary.run(["pose", mode, "model=/nonexistent/x.pt"], cwd: work, testClass: CLIBinaryTests.self)
            XCTAssertNotEqual(r.status, 0, mode)
            XCTAssertEqual(r.stderr.contains("is not available in this build yet"), !CLIGrammar.implementedModes.contains(mode),
                           "\(mode): \(r.stderr)")
        }
    }

    func testModeWithoutImplementationFailsCleanly() throws {
        for args in [["pose", "benchmark", "model=a-pose.pt"], ["login"]] {
            let r = try yolo(args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.hasPrefix("Error: "), r.stderr)
            XCTAssertTrue(r.stderr.contains("is not available in this build yet"), r.stderr)
            // The message names every mode and command that does run.
            for name in CLIGrammar.implementedModes + CLIGrammar.implementedSpecials {
                XCTAssertTrue(r.stderr.contains(" \(name),") || r.stderr.contains(" \(name);") || r.stderr.contains(" \(name)."),
                              "'\(name)' missing from: \(r.stderr)")
            }
        }
        // And every command it names does run (info needs a model; it has its own tests).
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("specials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for command in CLIGrammar.implementedSpecials where command != "info" {
            let r = try YOLOBinary.run([command], cwd: work, testClass: CLIBinaryTests.self)
            XCTAssertFalse(r.stderr.contains("not available"), "\(command): \(r.stderr)")
            XCTAssertEqual(r.status, 0, "\(command): \(r.stderr)")
        }
    }
}

