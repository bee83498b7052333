import Foundation
import XCTest

/// The built `yolo` executable, run as a user would (CLI tests).
public enum YOLOBinary {
    public struct Run {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The executable beside the test bundle (release or debug products directory).
    public static func url(for testClass: AnyClass, named name: String = "yolo") throws -> URL {
        let products = [Bundle.main.executableURL?.deletingLastPathComponent(),
                        Bundle(for: testClass).bundleURL,
                        Bundle(for: testClass).bundleURL.deletingLastPathComponent()].compactMap { $0 }
        let bin = products.map { $0.appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? products[0].appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: bin.path) else {
            throw NSError(domain: "YOLOBinary", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) binary not built at \(bin.path)"])
        }
        return bin
    }

    /// An empty config folder for this test process (`YOLO_CONFIG_DIR` of the children).
    public static let privateConfigDir: String = {
        let d = NSTemporaryDirectory() + "yolo-test-config-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// A configured, not yet started process running `yolo args` (in `cwd` when given).
    /// `executable` replaces the binary (e.g. `/usr/bin/timeout` with the binary among `args`).
    public static func process(_ args: [String], env: [String: String] = [:], cwd: URL? = nil,
                               testClass: AnyClass, executable: String? = nil) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try executable.map(URL.init(fileURLWithPath:)) ?? url(for: testClass)
        p.arguments = args
        // A private settings folder unless the test gives one, so a user's `yolo settings` never changes a test.
        p.environment = ProcessInfo.processInfo.environment.merging(["YOLO_CONFIG_DIR": privateConfigDir]) { $1 }
            .merging(env) { $1 }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        return (p, out, err)
    }

    /// Runs `yolo args` to completion.
    public static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil, testClass: AnyClass,
                           executable: String? = nil) throws -> Run {
        let (p, out, err) = try process(args, env: env, cwd: cwd, testClass: testClass, executable: executable)
        try p.run()
        // Read both pipes concurrently so a full stderr pipe cannot block the child.
        nonisolated(unsafe) var e = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
