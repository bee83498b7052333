import Foundation
import XCTest
import YOLOTestSupport

/// `yolo pose track` through the built binary: console lines, `runs/pose/track`, `save_frames`, label files with the track-id column
/// equal to the reference's ids (`Tests/Fixtures/track/clips.json`, `Scripts/reference/track_clips.py`), annotated
/// video, and one-line errors for bad tracker files.
final class TrackCLITests: XCTestCase {
    func testTrackVideoWritesLabelsWithIDs() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("trackcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clip = try TrackClips.make("moving", in: work)
        let r = try YOLOBinary.run(["pose", "track", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(clip.path)",
                                    "tracker=botsort.yaml", "save_txt=True", "save_frames=True"], cwd: work, testClass: Self.self)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("video 1/1 (frame 1/20) \(clip.path): "), r.stdout)
        XCTAssertTrue(r.stdout.contains("💡 Learn more at https://docs.ultralytics.com/modes/track"), r.stdout)
        let run = work.appendingPathComponent("runs/pose/track")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("moving.avi").path))
        // save_frames: every annotated frame also as moving_frames/moving_<n>.jpg (n from 1, as the log's frame count).
        let frames = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("moving_frames").path)
        XCTAssertEqual(Set(frames), Set((1...20).map { "moving_\($0).jpg" }))
        let want = try TrackClips.reference("moving", tracker: "botsort.yaml")
        for (f, frame) in want.enumerated() {
            let url = run.appendingPathComponent("labels/moving_\(f + 1).txt")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                XCTAssertTrue(frame.boxes.isEmpty, "frame \(f + 1): no label file but the reference has rows")
                continue
            }
            let lines = text.split(separator: "\n").map { $0.split(separator: " ") }
            XCTAssertEqual(lines.count, frame.boxes.count, "frame \(f + 1)")
            for (l, b) in zip(lines, frame.boxes) where b.count == 7 {
                XCTAssertEqual(l.count, 1 + 4 + 17 * 3 + 1, "frame \(f + 1): cls, box, keypoints, id")
                XCTAssertEqual(Int(l.last!), Int(b[4]), "frame \(f + 1): id column")
            }
        }
    }

    func testBadTrackerFilesAreOneLineErrors() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("trackcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let bad = work.appendingPathComponent("bad.yaml")
        try "tracker_type: [unclosed\n".write(to: bad, atomically: true, encoding: .utf8)
        let source = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000113.jpg").path
        for (tracker, expected) in [(bad.path, "malformed YAML"), ("ocsort.yaml", "not in this build yet"),
                                    ("missing.yaml", "does not exist")] {
            let r = try YOLOBinary.run(["pose", "track", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(source)",
                                        "tracker=\(tracker)"], cwd: work, testClass: Self.self)
            XCTAssertNotEqual(r.status, 0, tracker)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("runs").path),
                           "no run folder for a failed start (\(tracker))")
        }
        // persist is a Python-call argument, not a CLI one: the reference refuses it.
        let r = try YOLOBinary.run(["pose", "track", "model=\(Fixtures.path("overfit-n-pose.pt"))", "source=\(source)",
                                    "persist=True"], cwd: work, testClass: Self.self)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("'persist' is not a valid YOLO argument"), r.stderr)
    }
}

/// `yolo checks` reports the runtime dependencies this build uses, and fails when one is missing.
final class ChecksCLITests: XCTestCase {
    func testChecksReportRealDependencies() throws {
        let r = try YOLOBinary.run(["checks"], testClass: Self.self)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for needle in ["oneDNN              ✅ 2.6.", "ISA ", "libjpeg-turbo       ✅ /", "OpenCV (GMC)        ✅ /",
                       "ffmpeg              ✅ /", "ffmpeg version", "Font                ✅ /", "bf16"] {
            XCTAssertTrue(r.stdout.contains(needle), "'\(needle)' not in:\n\(r.stdout)")
        }
        let missing = try YOLOBinary.run(["checks"], env: ["PATH": "/nonexistent"], testClass: Self.self)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stdout.contains("ffmpeg              ❌ not found on PATH"), missing.stdout)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }
}
