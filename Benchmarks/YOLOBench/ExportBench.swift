import Foundation

/// `yolo export` end to end per format: our binary against Ultralytics' `yolo` CLI from the reference venv, as cold
/// processes in the same run (median wall time of `repeats`), each on a fresh copy of the checkpoint (exports go
/// beside the weights). A format the reference cannot export here (ncnn needs the `pnnx` wheel) is reported, not
/// timed.
enum ExportBench {
    static let formats = ["onnx", "torchscript", "openvino", "ncnn"]

    static func run(options o: Options, extra: [String]) throws {
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("yolo").path
        let ref = URL(fileURLWithPath: o.python).deletingLastPathComponent().appendingPathComponent("yolo").path
        let work = URL(fileURLWithPath: o.out).appendingPathComponent("export-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let threads = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "\(ProcessInfo.processInfo.activeProcessorCount)"
        let refEnv = ["YOLO_OFFLINE": "1", "OMP_NUM_THREADS": threads,
                      "YOLO_CONFIG_DIR": ProcessInfo.processInfo.environment["YOLO_CONFIG_DIR"] ?? "/tmp/yolocfg"]
        print("yolo export model=\((o.model as NSString).lastPathComponent) format=F \(extra.joined(separator: " ")) — cold processes, median of \(o.repeats), \(threads) threads")
        print("format         ours (s)   Ultralytics (s)   ratio")
        var run = 0
        /// Times one export of a fresh checkpoint copy.
        func time(_ exe: String, _ format: String, env: [String: String]) throws -> Double {
            run += 1
            let dir = work.appendingPathComponent("r\(run)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let pt = dir.appendingPathComponent((o.model as NSString).lastPathComponent)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: o.model), to: pt)
            return try TrainBench.measure(exe, ["export", "model=\(pt.path)", "format=\(format)"] + extra, env: env, cwd: dir).seconds
        }
        for format in o.exportFormats ?? formats {
            let a = try (0..<o.repeats).map { _ in try time(ours, format, env: ["OMP_NUM_THREADS": threads]) }
            let ta = Stats(a).median
            do {
                let b = try (0..<o.repeats).map { _ in try time(ref, format, env: refEnv) }
                let tb = Stats(b).median
                print(format.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %8.2f   %12.2f      %5.2f", ta, tb, ta / tb))
            } catch {
                print(format.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %8.2f   reference failed: ", ta) + "\(error)")
            }
        }
    }
}
