import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Locates and launches the `ffmpeg` / `ffprobe` executables that video decoding and encoding run as child
/// processes.
public enum FFmpegTool {
    /// A folder to take `ffmpeg` and `ffprobe` from instead of searching `PATH` (nil: search `PATH`).
    nonisolated(unsafe) public static var directory: String? = nil

    /// The absolute path of `tool`, or nil when it cannot be found.
    public static func locate(_ tool: String) -> String? {
        let fm = FileManager.default
        if let directory {
            let p = (directory as NSString).appendingPathComponent(tool)
            return fm.isExecutableFile(atPath: p) ? p : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let p = String(dir) + "/" + tool
            if fm.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Whether both `ffmpeg` and `ffprobe` can be found.
    public static var isAvailable: Bool { locate("ffmpeg") != nil && locate("ffprobe") != nil }

    /// The executable URL of `tool`, or `VideoError.toolNotFound` naming `file`.
    static func executable(_ tool: String, for file: String) throws -> URL {
        guard let p = locate(tool) else { throw VideoError.toolNotFound(tool: tool, path: file) }
        return URL(fileURLWithPath: p)
    }

    /// Runs `tool` to completion and returns (exit status, stdout, stderr). Only for small outputs (probing).
    static func run(_ tool: String, _ arguments: [String], for file: String) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let p = Process()
        p.executableURL = try executable(tool, for: file)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        // stderr goes to a file, so that neither output can fill up and block the child.
        let errFile = stderrFile()
        p.standardError = errFile?.1 ?? FileHandle.nullDevice
        do { try p.run() } catch {
            _ = consume(errFile?.0)
            throw VideoError.toolNotFound(tool: tool, path: file)
        }
        try? errFile?.1.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = consume(errFile?.0)
        return (p.terminationStatus, outData, errData)
    }

    /// Starts `p` with its stderr going to a temporary file (so it can never block the child) and returns that
    /// file; `VideoError.toolNotFound` naming `file` when the executable cannot start.
    static func launch(_ p: Process, for file: String) throws -> URL? {
        let tool = p.executableURL?.lastPathComponent ?? "ffmpeg"
        guard let (url, handle) = stderrFile() else {
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { throw VideoError.toolNotFound(tool: tool, path: file) }
            return nil
        }
        p.standardError = handle
        defer { try? handle.close() }
        do { try p.run() } catch {
            _ = consume(url)
            throw VideoError.toolNotFound(tool: tool, path: file)
        }
        return url
    }

    /// The last non-empty line of a tool's stderr, as a one-line reason.
    static func reason(_ stderr: Data, status: Int32) -> String {
        let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.last ?? "exit status \(status)"
    }

    /// A temporary file that receives a child's stderr (a file cannot fill up and block the child the way an
    /// unread pipe can).
    static func stderrFile() -> (URL, FileHandle)? {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("yolo-ffmpeg-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let h = FileHandle(forWritingAtPath: url.path) else { return nil }
        return (url, h)
    }

    /// Reads and removes a file made by `stderrFile`.
    static func consume(_ url: URL?) -> Data {
        guard let url else { return Data() }
        defer { try? FileManager.default.removeItem(at: url) }
        return (try? Data(contentsOf: url)) ?? Data()
    }

    /// Asks the kernel for a larger pipe buffer (Linux), so the child can decode ahead while we work.
    static func enlargePipe(_ fd: Int32, bytes: Int) {
        #if os(Linux)
        _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(min(max(bytes, 65536), 1 << 20)))
        #endif
    }

    /// Reads exactly `count` bytes into `buffer` unless end of file comes first; returns the bytes read.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, count: Int) -> Int {
        var got = 0
        while got < count {
            let n = read(fd, buffer.baseAddress! + got, count - got)
            if n > 0 { got += n } else if n == 0 { break } else if errno != EINTR { break }
        }
        return got
    }

    /// Writes all of `buffer`; false on a broken pipe or another error.
    static func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    /// Writing to a child that has died raises SIGPIPE, which would end this process; ignore it so the write
    /// fails with EPIPE instead. Done once, when the first video encoder starts.
    static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
