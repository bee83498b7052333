import Foundation
import XCTest
import YOLOTestSupport

/// `yolo settings` as the reference's: created on first use with its keys and messages, `key=value` updates with its
/// type and key errors, `reset`; `runs_dir` moves where runs are written.
final class SettingsCLITests: XCTestCase {
    func testSettingsFileLifecycleAndRunsDir() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let env = ["YOLO_CONFIG_DIR": work.appendingPathComponent("cfg").path]
        let file = work.appendingPathComponent("cfg/yolo-swift/settings.json")
        func yolo(_ args: [String]) throws -> YOLOBinary.Run { try YOLOBinary.run(args, env: env, cwd: work, testClass: Self.self) }

        var r = try yolo(["settings"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("Creating new Ultralytics Settings v0.0.8 file ✅"), r.stdout)
        XCTAssertTrue(r.stdout.contains("JSONDict(\"\(file.path)\"):\n{\n  \"settings_version\": \"0.0.8\",\n  \"datasets_dir\": "), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"runs_dir\": \"runs\",\n  \"uuid\": \""), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"openvino_msg\": true\n}"), r.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        XCTAssertEqual(json.count, 17)

        let runs = work.appendingPathComponent("elsewhere").path
        r = try yolo(["settings", "runs_dir=\(runs)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("✅ Updated 'runs_dir=\(runs)'"), r.stdout)
        r = try yolo(["pose", "predict", "model=\(Fixtures.path("overfit-n-pose.pt"))",
                      "source=\(Fixtures.coco8Pose.appendingPathComponent("images/val/000000000113.jpg").path)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: runs + "/pose/predict/000000000113.jpg"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("runs").path))

        r = try yolo(["settings", "sync=abc"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("settings error: 'Ultralytics setting 'sync' must be 'bool' type, not 'str'.'"), r.stderr)
        r = try yolo(["settings", "runs_dirr=x"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("'runs_dirr' is not a valid YOLO argument. Similar arguments are i.e. ['runs_dir']"), r.stderr)
        r = try yolo(["settings", "wandb=True"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("'wandb' configures an Ultralytics service this build does not have"), r.stderr)

        r = try yolo(["settings", "reset"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("Settings reset successfully"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"runs_dir\": \"runs\""), r.stdout)
    }
}
