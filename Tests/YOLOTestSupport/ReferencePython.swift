import Foundation
import XCTest

/// Runs the reference Python (Ultralytics 8.4.190 + torch) on scripts in `Scripts/reference`.
///
/// The interpreter is `$YOLO_REF_PYTHON`, else `/work/refvenv/bin/python`. It runs offline, with a private
/// `YOLO_CONFIG_DIR`, in a temporary working folder that is removed afterwards.
public enum ReferencePython {
    /// `Scripts/reference` in this checkout.
    public static let scripts: URL = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/reference")

    /// The interpreter's path.
    public static var interpreter: String {
        ProcessInfo.processInfo.environment["YOLO_REF_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "/work/refvenv/bin/python"
    }

    /// Why the reference cannot run, or nil when the interpreter exists.
    public static var unavailableReason: String? {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            return """
                reference Python not found at \(interpreter). Create it with: python3 -m venv /work/refvenv && \
                /work/refvenv/bin/pip install ultralytics==8.4.190 torch==2.15.0 (see Scripts/reference/README.md), \
                or point YOLO_REF_PYTHON at an interpreter that has them.
                """
        }
        return nil
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `script` with `arguments`; returns stdout. Throws with the exit status and the output tail on failure.
    public static func run(_ script: String, _ arguments: [String], timeout: TimeInterval = 900) throws -> String {
        if let reason = unavailableReason { throw Failure(description: reason) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("refpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [scripts.appendingPathComponent(script).path] + arguments
        process.currentDirectoryURL = work
        var env = ProcessInfo.processInfo.environment
        env["YOLO_OFFLINE"] = "1"
        env["YOLO_CONFIG_DIR"] = work.appendingPathComponent("yolocfg").path
        env["PYTHONUNBUFFERED"] = "1"
        process.environment = env
        let outURL = work.appendingPathComponent("stdout.txt")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw Failure(description: "\(script) timed out after \(Int(timeout)) s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try out.close()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) exited with status \(process.terminationStatus):\n\(text.suffix(4_000))")
        }
        return text
    }

    /// Runs `script` and decodes the JSON object it prints after `RESULT_JSON: `.
    public static func json(_ script: String, _ arguments: [String], timeout: TimeInterval = 900) throws -> [String: Any] {
        let text = try run(script, arguments, timeout: timeout)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT_JSON: ") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.dropFirst(13).utf8)) as? [String: Any] else {
            throw Failure(description: "\(script) printed no RESULT_JSON line:\n\(text.suffix(4_000))")
        }
        return object
    }
}
