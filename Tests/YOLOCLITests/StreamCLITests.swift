import Foundation
import XCTest
import YOLOTestSupport

/// Live sources through the built binary, served on loopback by an `ffmpeg` child (the `shifted` clip of
/// `TrackClips`, copied losslessly into a NUT stream): a `tcp://` stream predicts the same labels as the clip file,
/// an `http://` stream tracks with the reference's ids (`Tests/Fixtures/track/clips.json`), and a missing webcam or
/// display is one line.
final class StreamCLITests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("streamcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    /// Starts an ffmpeg server sending `clip` to `url` (one client), and waits for it to listen.
    func serve(_ clip: URL, to url: String, format: String = "nut") throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        var args = ["-nostdin", "-v", "error", "-re", "-i", clip.path, "-c", "copy", "-f", format]
        if url.hasPrefix("http") { args += ["-listen", "1"] }
        p.arguments = args + [url]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.0)
        return p
    }

    static var port: Int { Int.random(in: 20000..<40000) }

    func testTCPStreamPredictsWhatTheFilePredicts() throws {
        let clip = try TrackClips.make("shifted", in: work)
        let model = "model=\(Fixtures.path("overfit-n-pose.pt"))"
        let file = try YOLOBinary.run(["pose", "predict", model, "source=\(clip.path)", "save_txt=True", "save=False",
                                       "name=file"], cwd: work, testClass: Self.self)
        XCTAssertEqual(file.status, 0, file.stderr)
        let port = Self.port
        let server = try serve(clip, to: "tcp://127.0.0.1:\(port)?listen=1")
        defer { server.terminate() }
        let r = try YOLOBinary.run(["pose", "predict", model, "source=tcp://127.0.0.1:\(port)", "stream_buffer=True",
                                    "save_txt=True", "name=stream"], cwd: work, testClass: Self.self)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("1/1: tcp://127.0.0.1:\(port)... Success ✅ (inf frames of shape 360x540 at 30.00 FPS)"), r.stdout)
        let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("0: 416x288 ") }
        XCTAssertEqual(lines.count, 20, "stream_buffer keeps every frame")
        let runs = work.appendingPathComponent("runs/pose")
        XCTAssertTrue(FileManager.default.fileExists(atPath: runs.appendingPathComponent("stream/tcp___127.0.0.avi").path),
                      "the annotated stream is named from the cleaned source, as the reference names it")
        for f in 0..<20 {
            let a = try? String(contentsOf: runs.appendingPathComponent("file/labels/shifted_\(f + 1).txt"), encoding: .utf8)
            let b = try? String(contentsOf: runs.appendingPathComponent("stream/labels/tcp___127.0.0_\(f).txt"), encoding: .utf8)
            XCTAssertEqual(a, b, "frame \(f)")
        }
    }

    func testHTTPStreamTracksWithReferenceIDs() throws {
        let clip = try TrackClips.make("shifted", in: work)
        let port = Self.port
        let server = try serve(clip, to: "http://127.0.0.1:\(port)/live")
        defer { server.terminate() }
        let r = try YOLOBinary.run(["pose", "track", "model=\(Fixtures.path("overfit-n-pose.pt"))",
                                    "source=http://127.0.0.1:\(port)/live", "stream_buffer=True", "save_txt=True",
                                    "save=False", "tracker=bytetrack.yaml"], cwd: work, testClass: Self.self)
        XCTAssertEqual(r.status, 0, r.stderr)
        let want = try TrackClips.reference("shifted", tracker: "bytetrack.yaml")
        for (f, frame) in want.enumerated() where frame.boxes.first?.count == 7 {
            let url = work.appendingPathComponent("runs/pose/track/labels/http___127.0.0_\(f).txt")
            let ids = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n").compactMap { $0.split(separator: " ").last }.map { Int($0)! }
            XCTAssertEqual(ids, frame.boxes.map { Int($0[4]) }, "frame \(f)")
        }
    }

    func testMissingWebcamAndDisplayAreOneLine() throws {
        let model = "model=\(Fixtures.path("overfit-n-pose.pt"))"
        if !FileManager.default.fileExists(atPath: "/dev/video7") {
            let r = try YOLOBinary.run(["pose", "predict", model, "source=7"], cwd: work, testClass: Self.self)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("1/1: 7... Failed to open 7 (no webcam: /dev/video7 does not exist)"), r.stderr)
        }
        let r = try YOLOBinary.run(["pose", "predict", model, "source=screen"], env: ["DISPLAY": ""], cwd: work, testClass: Self.self)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("Failed to open screen (no X display to capture (DISPLAY is not set))"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("runs").path))
        let refused = try YOLOBinary.run(["pose", "predict", model, "source=tcp://127.0.0.1:\(Self.port)"], cwd: work, testClass: Self.self)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("Failed to open tcp://127.0.0.1:"), refused.stderr)
    }
}
