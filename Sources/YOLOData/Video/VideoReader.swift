import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One decoded video frame: `index` is its 0-based position among all frames of the video.
public struct VideoFrame: Sendable {
    public let index: Int
    public let image: Image
}

/// Streams the frames of a video file, decoded by an `ffmpeg` child process into BGR bytes over a pipe.
/// Only the frame being returned is held, so memory stays constant on long videos.
///
/// Frames match OpenCV's `VideoCapture.read()` (FFmpeg backend): same pixels for yuv420p sources, with the
/// container's display rotation applied. With `vidStride` N every frame is decoded and every N-th is kept,
/// as Ultralytics does: frames N-1, 2N-1, … (0-based), so the first frame is dropped when N > 1.
public final class VideoReader: Sequence, IteratorProtocol {
    public let path: String
    public let info: VideoInfo
    public let vidStride: Int
    /// Frames decoded so far (kept or not).
    public private(set) var framesDecoded = 0
    /// The error that ended iteration through `next()`, if any.
    public private(set) var error: VideoError?

    private var process: Process?
    private var stdout: FileHandle?
    private var stderrURL: URL?
    private var finished = false

    /// Probes `path` and starts decoding. Throws `VideoError` when ffmpeg is missing or the file cannot be opened.
    public init(path: String, vidStride: Int = 1) throws {
        self.path = path
        self.vidStride = Swift.max(vidStride, 1)
        info = try VideoInfo.probe(path)
        let p = Process()
        p.executableURL = try FFmpegTool.executable("ffmpeg", for: path)
        p.arguments = ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        stderrURL = try FFmpegTool.launch(p, for: path)
        FFmpegTool.enlargePipe(out.fileHandleForReading.fileDescriptor, bytes: info.width * info.height * 3 * 2)
        process = p
        stdout = out.fileHandleForReading
    }

    deinit { close() }

    /// Number of frames `next()` should yield, from the probed frame count (as Ultralytics' `frames`).
    public var expectedFrames: Int { info.frameCount / vidStride }

    /// The next kept frame, nil at the end of the video. Throws when ffmpeg fails or the stream is cut short.
    public func nextFrame() throws -> VideoFrame? {
        guard !finished, let stdout else { return nil }
        let size = info.width * info.height * 3
        let fd = stdout.fileDescriptor
        while true {
            var pixels = [UInt8](repeating: 0, count: size)
            let got = pixels.withUnsafeMutableBytes { FFmpegTool.readFully(fd, into: $0, count: size) }
            if got < size {
                try end(partial: got)
                return nil
            }
            let index = framesDecoded
            framesDecoded += 1
            if (index + 1) % vidStride == 0 {
                return VideoFrame(index: index, image: Image(width: info.width, height: info.height, order: .bgr, pixels: pixels))
            }
        }
    }

    public func next() -> VideoFrame? {
        do { return try nextFrame() } catch {
            self.error = error as? VideoError ?? .decodeFailed(path: path, frames: framesDecoded, reason: "\(error)")
            return nil
        }
    }

    /// Stops the decoder (if still running) and releases it. Safe to call more than once.
    public func close() {
        guard let p = process else { return }
        finished = true
        try? stdout?.close()
        stdout = nil
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        process = nil
        _ = FFmpegTool.consume(stderrURL)
        stderrURL = nil
    }

    private func end(partial: Int) throws {
        finished = true
        guard let p = process else { return }
        try? stdout?.close()
        stdout = nil
        p.waitUntilExit()
        process = nil
        let err = FFmpegTool.consume(stderrURL)
        stderrURL = nil
        if p.terminationStatus != 0 {
            throw VideoError.decodeFailed(path: path, frames: framesDecoded,
                                          reason: FFmpegTool.reason(err, status: p.terminationStatus))
        }
        if partial > 0 {
            throw VideoError.decodeFailed(path: path, frames: framesDecoded,
                                          reason: "incomplete frame (\(partial) of \(info.width * info.height * 3) bytes)")
        }
    }
}
