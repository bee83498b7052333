import Foundation

/// Encodes BGR frames into a video file through an `ffmpeg` child process fed raw frames on stdin.
/// The default output is what Ultralytics writes on Linux: Motion JPEG (`MJPG` fourcc) in an AVI container.
public final class VideoWriter {
    public let url: URL
    public let width: Int
    public let height: Int
    public let rate: FrameRate
    public private(set) var framesWritten = 0

    private var process: Process?
    private var stdin: FileHandle?
    private var stderrURL: URL?

    /// Starts the encoder. `quality` is ffmpeg's MJPEG `-q:v` (2 = best … 31 = worst).
    public init(url: URL, width: Int, height: Int, rate: FrameRate, quality: Int = 2) throws {
        self.url = url
        self.width = width
        self.height = height
        self.rate = rate
        guard width > 0, height > 0 else { throw VideoError.writeFailed(path: url.path, reason: "empty frame size \(width)x\(height)") }
        FFmpegTool.ignoreSIGPIPE
        let p = Process()
        p.executableURL = try FFmpegTool.executable("ffmpeg", for: url.path)
        p.arguments = ["-nostdin", "-v", "error", "-y",
                       "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", "\(width)x\(height)", "-framerate", rate.description,
                       "-i", "pipe:0",
                       "-an", "-c:v", "mjpeg", "-q:v", String(quality), "-pix_fmt", "yuvj420p", "-vtag", "MJPG",
                       url.path]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        stderrURL = try FFmpegTool.launch(p, for: url.path)
        try? input.fileHandleForReading.close()
        process = p
        stdin = input.fileHandleForWriting
    }

    deinit { _ = try? finish() }

    /// Appends one frame (converted to BGR if needed). Its size must be the writer's.
    public func write(_ image: Image) throws {
        guard let stdin else { throw VideoError.writeFailed(path: url.path, reason: "writer is finished") }
        guard image.width == width, image.height == height else {
            throw VideoError.writeFailed(path: url.path, reason: "frame is \(image.width)x\(image.height), video is \(width)x\(height)")
        }
        let bgr = image.converted(to: .bgr)
        let ok = bgr.pixels.withUnsafeBytes { FFmpegTool.writeFully(stdin.fileDescriptor, $0) }
        guard ok else {
            let reason = finishProcess()
            throw VideoError.writeFailed(path: url.path, reason: reason ?? "encoder stopped")
        }
        framesWritten += 1
    }

    /// Closes the input and waits for the encoder to write the file. Safe to call more than once.
    public func finish() throws {
        if let reason = finishProcess() { throw VideoError.writeFailed(path: url.path, reason: reason) }
    }

    /// Ends the child; returns an error reason when it failed.
    private func finishProcess() -> String? {
        guard let p = process else { return nil }
        try? stdin?.close()
        stdin = nil
        p.waitUntilExit()
        process = nil
        let err = FFmpegTool.consume(stderrURL)
        stderrURL = nil
        return p.terminationStatus == 0 ? nil : FFmpegTool.reason(err, status: p.terminationStatus)
    }
}
