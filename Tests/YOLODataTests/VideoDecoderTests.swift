import Foundation
import XCTest
import YOLOData
import YOLOTestSupport

/// Tests/Fixtures/video/reference.json (made by Scripts/reference/make_video_fixtures.py): what OpenCV's
/// VideoCapture (FFmpeg backend, as bundled with the reference) decodes from the fixture clips.
struct VideoReference: Decodable {
    struct Clip: Decodable {
        let file: String
        let frame_count: Int
        let fps: Double
        let width: Int
        let height: Int
        let decoded_frames: Int
        let fnv1a64: [String]
    }
    struct Remux: Decodable { let frame_count: Int; let decoded_frames: Int }
    let clip: Clip
    let clip_rot90: Clip
    let clip_mkv_remux: Remux

    static let shared: VideoReference = {
        let data = try! Data(contentsOf: Fixtures.url("video/reference.json"))
        return try! JSONDecoder().decode(VideoReference.self, from: data)
    }()
}

/// The decoder (ffmpeg child process) against OpenCV: frame count, size, rate, and bit-exact BGR frames.
final class VideoDecoderTests: XCTestCase {
    let ref = VideoReference.shared

    override func setUpWithError() throws {
        try XCTSkipUnless(FFmpegTool.isAvailable, "ffmpeg/ffprobe not installed (Scripts/setup.sh installs them)")
    }

    func decodeAll(_ file: String, stride: Int = 1) throws -> (VideoReader, [VideoFrame]) {
        let reader = try VideoReader(path: Fixtures.path("video/\(file)"), vidStride: stride)
        var frames: [VideoFrame] = []
        while let f = try reader.nextFrame() { frames.append(f) }
        return (reader, frames)
    }

    func testProbeMatchesOpenCV() throws {
        for c in [ref.clip, ref.clip_rot90] {
            let info = try VideoInfo.probe(Fixtures.path("video/\(c.file)"))
            XCTAssertEqual(info.width, c.width, c.file)
            XCTAssertEqual(info.height, c.height, c.file)
            XCTAssertEqual(info.fps, c.fps, accuracy: 1e-9, c.file)
            XCTAssertEqual(info.frameCount, c.frame_count, c.file)
        }
    }

    func testFramesBitExactWithOpenCV() throws {
        let (reader, frames) = try decodeAll(ref.clip.file)
        XCTAssertEqual(frames.count, ref.clip.decoded_frames)
        XCTAssertEqual(frames.map(\.index), Array(0..<frames.count))
        XCTAssertEqual(reader.framesDecoded, ref.clip.decoded_frames)
        for (f, h) in zip(frames, ref.clip.fnv1a64) {
            XCTAssertEqual(f.image.shape, [ref.clip.height, ref.clip.width, 3])
            XCTAssertEqual(f.image.order, .bgr)
            XCTAssertEqual(fnv1a64(f.image.pixels), h, "frame \(f.index)")
        }
    }

    /// The container's display matrix (ffprobe rotation 90) is applied, as OpenCV does by default.
    func testRotationMetadataAppliedLikeOpenCV() throws {
        let c = ref.clip_rot90
        let (reader, frames) = try decodeAll(c.file)
        XCTAssertEqual(reader.info.rotation % 180 != 0, true)
        XCTAssertEqual(frames.count, c.decoded_frames)
        for (f, h) in zip(frames, c.fnv1a64) {
            XCTAssertEqual(f.image.shape, [c.height, c.width, 3])
            XCTAssertEqual(fnv1a64(f.image.pixels), h, "frame \(f.index)")
        }
    }

    /// vid_stride N keeps 0-based frames N-1, 2N-1, … (the reference drops the first frame when N > 1).
    func testVidStrideSelection() throws {
        for (stride, expected) in [(1, Array(0..<12)), (3, [2, 5, 8, 11]), (5, [4, 9]), (13, [])] {
            let (reader, frames) = try decodeAll(ref.clip.file, stride: stride)
            XCTAssertEqual(frames.map(\.index), expected, "vid_stride \(stride)")
            XCTAssertEqual(reader.expectedFrames, 12 / stride, "vid_stride \(stride)")
            XCTAssertEqual(reader.framesDecoded, 12, "every frame is decoded")
            for f in frames { XCTAssertEqual(fnv1a64(f.image.pixels), ref.clip.fnv1a64[f.index]) }
        }
    }

    /// Without nb_frames (Matroska) the count is round(duration × fps), as OpenCV's CAP_PROP_FRAME_COUNT.
    func testFrameCountWithoutNbFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolo-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mkv = dir.appendingPathComponent("clip.mkv")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FFmpegTool.locate("ffmpeg")!)
        p.arguments = ["-nostdin", "-v", "error", "-y", "-i", Fixtures.path("video/clip.mp4"), "-c", "copy", mkv.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let reader = try VideoReader(path: mkv.path)
        XCTAssertEqual(reader.info.frameCount, ref.clip_mkv_remux.frame_count)
        var n = 0
        while try reader.nextFrame() != nil { n += 1 }
        XCTAssertEqual(n, ref.clip_mkv_remux.decoded_frames)
    }

    /// Stopping early ends the child process; nothing hangs.
    func testEarlyClose() throws {
        let reader = try VideoReader(path: Fixtures.path("video/clip.mp4"))
        XCTAssertNotNil(try reader.nextFrame())
        reader.close()
        XCTAssertNil(try reader.nextFrame())
        reader.close()
        // Sequence use.
        let again = try VideoReader(path: Fixtures.path("video/clip.mp4"), vidStride: 2)
        XCTAssertEqual(again.map(\.index), [1, 3, 5, 7, 9, 11])
        XCTAssertNil(again.error)
    }

    func testCorruptAndMissingFilesNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolo-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("truncated.mp4")
        try Data(contentsOf: Fixtures.url("video/clip.mp4")).prefix(5000).write(to: truncated)
        let garbage = dir.appendingPathComponent("garbage.avi")
        try Data("not a video\n".utf8).write(to: garbage)
        for path in [truncated.path, garbage.path, dir.appendingPathComponent("missing.mp4").path] {
            XCTAssertThrowsError(try VideoReader(path: path)) { e in
                guard let v = e as? VideoError else { return XCTFail("\(e)") }
                guard case .cannotOpen = v else { return XCTFail("\(v)") }
                XCTAssertEqual(v.path, path)
                XCTAssertTrue(v.description.contains(path), v.description)
                XCTAssertFalse(v.description.contains("\n"), v.description)
            }
        }
    }

    func testMissingFFmpegIsReported() throws {
        FFmpegTool.directory = "/nonexistent-ffmpeg-dir"
        defer { FFmpegTool.directory = nil }
        let path = Fixtures.path("video/clip.mp4")
        XCTAssertThrowsError(try VideoReader(path: path)) { e in
            XCTAssertEqual(e as? VideoError, .toolNotFound(tool: "ffprobe", path: path))
            XCTAssertTrue("\(e)".contains(path))
        }
    }

    /// MJPG .avi at a fractional rate; the frames come back close to what was written.
    func testWriterRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolo-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, frames) = try decodeAll(ref.clip.file, stride: 3)
        let url = dir.appendingPathComponent("clip.avi")
        let writer = try VideoWriter(url: url, width: ref.clip.width, height: ref.clip.height,
                                     rate: FrameRate(num: 10, den: 1).divided(by: 3))
        for f in frames { try writer.write(f.image) }
        XCTAssertThrowsError(try writer.write(Image(width: 2, height: 2, repeating: 0)))
        try writer.finish()
        XCTAssertEqual(writer.framesWritten, 4)
        let info = try VideoInfo.probe(url.path)
        XCTAssertEqual(info.frameCount, 4)
        XCTAssertEqual(info.rate, FrameRate(num: 10, den: 3))
        XCTAssertEqual([info.width, info.height], [ref.clip.width, ref.clip.height])
        let back = try VideoReader(path: url.path).map(\.image)
        XCTAssertEqual(back.count, 4)
        for (a, b) in zip(frames.map(\.image), back) {
            var sum = 0
            for (x, y) in zip(a.pixels, b.pixels) { sum += abs(Int(x) - Int(y)) }
            XCTAssertLessThan(Double(sum) / Double(a.pixels.count), 4.0, "mean |Δ| after MJPEG q2")
        }
    }
}
