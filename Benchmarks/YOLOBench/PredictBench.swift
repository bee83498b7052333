import Foundation

/// End-to-end `yolo pose predict` timing: our binary against Ultralytics' `yolo` CLI from the reference venv,
/// both as fresh processes (model load, decode, letterbox, forward, NMS, console output; save=False),
/// on a folder and on a single image, in the same run.
enum PredictBench {
    static func wall(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let t0 = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "bench", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(exe) \(args.joined(separator: " ")) exited \(p.terminationStatus)"])
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    }

    static func median(_ v: [Double]) -> Double { Stats(v).median }

    static func run(dir: String, options o: Options) throws {
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("yolo").path
        let ref = URL(fileURLWithPath: o.python).deletingLastPathComponent().appendingPathComponent("yolo").path
        let refEnv = ["YOLO_OFFLINE": "1", "YOLO_CONFIG_DIR": ProcessInfo.processInfo.environment["YOLO_CONFIG_DIR"] ?? "/tmp/yolocfg"]
        let images = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.lowercased().hasSuffix(".jpg") }.sorted()
        guard let first = images.first else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no .jpg in \(dir)"]) }
        let single = (dir as NSString).appendingPathComponent(first)
        let common = ["pose", "predict", "model=\(o.model)", "imgsz=\(o.imgsz)", "save=False", "verbose=True"]
        print("yolo pose predict end to end, fresh processes, \(o.repeats) repeats (median), model \(o.model), imgsz \(o.imgsz)")
        print("case                       ours (ms)   Ultralytics (ms)   ours/Ultralytics")
        for (label, source) in [("folder of \(images.count) images", dir), ("single image (cold CLI)", single)] {
            var a: [Double] = [], b: [Double] = []
            for _ in 0..<o.repeats {
                a.append(try wall(ours, common + ["source=\(source)"]))
                b.append(try wall(ref, common + ["source=\(source)"], env: refEnv))
            }
            print(String(format: "%-26@ %9.0f   %16.0f   %16.3f", label, median(a), median(b), median(a) / median(b)))
        }
    }
}
