import Foundation

/// `yolo pose train` end to end: our binary against Ultralytics' `yolo` CLI from the reference venv on the same
/// command (issue 8's bench), as fresh processes in the same run: wall time and peak resident memory of each, and
/// their ratios. The dataset is coco8-pose with its train split used for training (a temporary symlinked mirror, so
/// the reference writes its label cache there and never into the shared dataset).
enum TrainBench {
    struct Measure { let seconds: Double; let peakMB: Double }

    /// Runs `exe args` in `cwd`; wall time and the child's peak RSS (wait4's ru_maxrss, KiB on Linux).
    static func measure(_ exe: String, _ args: [String], env: [String: String], cwd: URL) throws -> Measure {
        var pid: pid_t = 0
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.merging(env) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + environment).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(cwd.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, exe, &actions, nil, argv, environment) == 0 else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot start \(exe)"])
        }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard status == 0 else {
            throw NSError(domain: "bench", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "\(exe) \(args.joined(separator: " ")) failed (\(status))"])
        }
        return Measure(seconds: seconds, peakMB: Double(usage.ru_maxrss) / 1024)
    }

    /// A data YAML training on coco8-pose's train split, in `dir`, over a symlinked mirror of the dataset.
    static func dataset(in dir: URL) throws -> String {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/coco8-pose")
        let fm = FileManager.default
        for kind in ["images", "labels"] {
            for split in ["train", "val"] {
                let src = shared.appendingPathComponent("\(kind)/\(split)"), dst = dir.appendingPathComponent("mirror/\(kind)/\(split)")
                try fm.createDirectory(at: dst, withIntermediateDirectories: true)
                for f in try fm.contentsOfDirectory(atPath: src.path) where !f.hasSuffix(".cache") {
                    try? fm.createSymbolicLink(at: dst.appendingPathComponent(f), withDestinationURL: src.appendingPathComponent(f))
                }
            }
        }
        let yaml = dir.appendingPathComponent("coco8-pose-train.yaml")
        try """
            path: \(dir.appendingPathComponent("mirror").path)
            train: images/train
            val: images/train
            kpt_shape: [17, 3]
            flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
            names:
              0: person

            """.write(to: yaml, atomically: true, encoding: .utf8)
        return yaml.path
    }

    static func run(options o: Options, extra: [String]) throws {
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("yolo").path
        let ref = URL(fileURLWithPath: o.python).deletingLastPathComponent().appendingPathComponent("yolo").path
        let work = URL(fileURLWithPath: o.out).appendingPathComponent("train-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try dataset(in: work)
        let args = ["pose", "train", "data=\(data)", "model=yolov8n-pose.yaml", "pretrained=False", "epochs=10",
                    "imgsz=\(o.imgsz)", "batch=4", "val=False", "plots=False", "workers=0", "exist_ok=True"] + extra
        let threads = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "\(ProcessInfo.processInfo.activeProcessorCount)"
        print("yolo \(args.joined(separator: " ")) — fresh processes, \(o.repeats) repeats (median), \(threads) threads")
        var a: [Measure] = [], b: [Measure] = []
        for r in 0..<o.repeats {
            a.append(try measure(ours, args + ["project=\(work.path)/ours", "name=r\(r)"], env: ["OMP_NUM_THREADS": threads], cwd: work))
            b.append(try measure(ref, args + ["project=\(work.path)/ref", "name=r\(r)", "device=cpu", "amp=False"],
                                 env: ["YOLO_OFFLINE": "1", "OMP_NUM_THREADS": threads,
                                       "YOLO_CONFIG_DIR": ProcessInfo.processInfo.environment["YOLO_CONFIG_DIR"] ?? "/tmp/yolocfg"],
                                 cwd: work))
            print(String(format: "  run %d: ours %.1f s, %.0f MB peak | Ultralytics %.1f s, %.0f MB peak", r + 1,
                         a[r].seconds, a[r].peakMB, b[r].seconds, b[r].peakMB))
        }
        let (ta, tb) = (Stats(a.map(\.seconds)).median, Stats(b.map(\.seconds)).median)
        let (ma, mb) = (Stats(a.map(\.peakMB)).median, Stats(b.map(\.peakMB)).median)
        print(String(format: "wall time  ours %.1f s  Ultralytics %.1f s  ratio %.2f", ta, tb, ta / tb))
        print(String(format: "peak RSS   ours %.0f MB  Ultralytics %.0f MB  ratio %.2f", ma, mb, ma / mb))
    }
}
