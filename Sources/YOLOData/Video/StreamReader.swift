import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a live source — a webcam (`0` → `/dev/video0` through v4l2), the X screen (`screen`), or a network stream
/// (`rtsp://`, `rtmp://`, `tcp://`, or an `http(s)://` URL without a media suffix) — through an `ffmpeg` child
/// process, as the reference's stream loader reads it through OpenCV: the first frame is read before `init`
/// returns (a source that gives none is an error), then a background thread keeps reading. Without `buffer` only
/// the newest frame is kept (older ones are dropped, so a slow model never falls behind a camera); with it up to 30
/// frames queue and reading pauses while the queue is full. With `vidStride` N only every N-th frame after the first
/// is kept.
public final class StreamReader {
    public let source: String
    public private(set) var width = 0
    public private(set) var height = 0
    /// The rate ffmpeg reported for the input (30 when it reported none, as the reference falls back).
    public private(set) var fps = 30.0
    public let buffer: Bool
    public let vidStride: Int

    private var process: Process?
    private var stdoutFD: Int32 = -1
    private var stdoutHandle: FileHandle?
    private var stderrURL: URL?
    private let lock = NSCondition()
    private var queue: [Image] = []
    private var running = true
    private var readerDone = false
    private var thread: Thread?
    /// Why reading stopped early, if it did (shown once).
    public private(set) var endReason: String?

    /// The ffmpeg input arguments for `source`, or a one-line reason it cannot be opened here.
    static func inputArguments(_ source: String) throws -> [String] {
        if let n = Int(source), n >= 0 {
            let device = "/dev/video\(n)"
            guard FileManager.default.fileExists(atPath: device) else {
                throw VideoError.cannotOpen(path: source, reason: "no webcam: \(device) does not exist")
            }
            return ["-f", "v4l2", "-i", device]
        }
        if source.lowercased() == "screen" || source.lowercased().hasPrefix("screen ") {
            guard let display = ProcessInfo.processInfo.environment["DISPLAY"], !display.isEmpty else {
                throw VideoError.cannotOpen(path: source, reason: "no X display to capture (DISPLAY is not set)")
            }
            return ["-f", "x11grab", "-i", display]
        }
        return ["-i", source]
    }

    /// Opens `source` and reads its first frame. Throws `VideoError` when ffmpeg is missing, the source cannot be
    /// opened, or it gives no frame.
    public init(source: String, vidStride: Int = 1, buffer: Bool = false) throws {
        self.source = source
        self.buffer = buffer
        self.vidStride = max(vidStride, 1)
        FFmpegTool.ignoreSIGPIPE
        let p = Process()
        p.executableURL = try FFmpegTool.executable("ffmpeg", for: source)
        p.arguments = ["-nostdin", "-hide_banner", "-nostats", "-v", "info"] + (try Self.inputArguments(source))
            + ["-map", "0:v:0", "-f", "image2pipe", "-vcodec", "ppm", "-"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        stderrURL = try FFmpegTool.launch(p, for: source)
        process = p
        stdoutHandle = out.fileHandleForReading
        stdoutFD = out.fileHandleForReading.fileDescriptor
        guard let first = readFrame() else {
            let reason = finishProcess()
            throw VideoError.cannotOpen(path: source, reason: reason ?? "no frame received")
        }
        width = first.width
        height = first.height
        if let url = stderrURL, let text = try? String(contentsOf: url, encoding: .utf8),
           let r = text.range(of: #"(\d+(?:\.\d+)?) fps"#, options: .regularExpression),
           let v = Double(text[r].split(separator: " ")[0]), v > 0, v < 1000 {
            fps = v
        }
        queue = [first]
        let t = Thread { [weak self] in self?.readLoop() }
        thread = t
        t.start()
    }

    deinit { close() }

    /// The next frame to predict: the oldest queued one with `buffer`, else the newest (dropping the rest).
    /// Blocks until one is available; nil once the source has ended and nothing is queued.
    public func nextFrame() -> Image? {
        lock.lock()
        defer { lock.unlock() }
        while queue.isEmpty && !readerDone { lock.wait() }
        guard !queue.isEmpty else { return nil }
        let frame = buffer ? queue.removeFirst() : queue.removeLast()
        if !buffer { queue.removeAll() }
        lock.broadcast()
        return frame
    }

    /// Stops reading and ends the ffmpeg process. Safe to call more than once.
    public func close() {
        lock.lock()
        running = false
        lock.broadcast()
        lock.unlock()
        if let p = process, p.isRunning { p.terminate() }
        while let t = thread, !t.isFinished, !(lock.withLock { readerDone }) { usleep(1000) }
        _ = finishProcess()
    }

    private func readLoop() {
        var n = 0
        while true {
            lock.lock()
            while buffer && queue.count >= 30 && running { lock.wait() }
            let keepGoing = running
            lock.unlock()
            guard keepGoing, let frame = readFrame() else { break }
            n += 1
            guard n % vidStride == 0 else { continue }
            lock.lock()
            if buffer { queue.append(frame) } else { queue = [frame] }
            lock.broadcast()
            lock.unlock()
        }
        lock.lock()
        readerDone = true
        lock.broadcast()
        lock.unlock()
    }

    /// One PPM frame from ffmpeg's stdout (RGB, converted to BGR), or nil at the end.
    private func readFrame() -> Image? {
        var tokens: [String] = []
        var current = [UInt8]()
        var byte: UInt8 = 0
        while tokens.count < 4 {
            guard read(stdoutFD, &byte, 1) == 1 else { return nil }
            if byte == 0x23 && current.isEmpty {  // comment to end of line
                while read(stdoutFD, &byte, 1) == 1 && byte != 0x0A {}
                continue
            }
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)); current = [] }
            } else {
                current.append(byte)
                if current.count > 16 { return nil }
            }
        }
        guard tokens[0] == "P6", let w = Int(tokens[1]), let h = Int(tokens[2]), tokens[3] == "255",
              w > 0, h > 0, w <= 16384, h <= 16384 else { return nil }
        let size = w * h * 3
        var pixels = [UInt8](repeating: 0, count: size)
        let got = pixels.withUnsafeMutableBytes { FFmpegTool.readFully(stdoutFD, into: $0, count: size) }
        guard got == size else { return nil }
        return Image(width: w, height: h, order: .rgb, pixels: pixels).converted(to: .bgr)
    }

    /// Waits for ffmpeg to exit; returns its error line when it failed.
    private func finishProcess() -> String? {
        guard let p = process else { return nil }
        try? stdoutHandle?.close()
        stdoutHandle = nil
        p.waitUntilExit()
        process = nil
        let err = FFmpegTool.consume(stderrURL)
        stderrURL = nil
        if p.terminationStatus != 0 && running {
            endReason = FFmpegTool.reason(err, status: p.terminationStatus)
            return endReason
        }
        return nil
    }
}
