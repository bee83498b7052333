import Foundation
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTrack

/// Per-frame tracker cost next to predict, ours and Ultralytics' in the same run (`yolo-bench --track`): the
/// `shifted` clip of Scripts/reference/track_clips.py played forward and back `loops` times; each frame is predicted
/// (conf 0.1, the checkpoint's imgsz) and timed, then the stored results go through each tracker (ByteTrack, BoT-SORT
/// and TrackTrack with their default sparse-optical-flow GMC), timed per frame. Medians; the reference side is
/// Scripts/bench/track_overhead.py.
enum TrackBench {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func frames(loops: Int) throws -> [Image] {
        let im = try ImageIO.read(root.deletingLastPathComponent()
            .appendingPathComponent("shared/datasets/coco8-pose/images/val/000000000113.jpg"))
        let base = (0..<20).map { t -> Image in
            var px = [UInt8]()
            for r in (4 * t)..<(4 * t + 540) { let s = (r * im.width + 2 * t) * 3; px += im.pixels[s..<(s + 360 * 3)] }
            return Image(width: 360, height: 540, order: .bgr, pixels: px)
        }
        return (0..<loops).flatMap { $0 % 2 == 0 ? base : base.reversed() }
    }

    static func run(options o: Options, loops: Int = 3) throws {
        let clip = try frames(loops: loops)
        let net = try YOLONetwork.load(o.model, task: "pose")
        var po = PredictOptions()
        po.conf = 0.1
        let predictor = try Predictor(model: net, options: po)
        _ = try predictor.predict(clip[0])
        var results: [Results] = [], predictMs: [Double] = []
        for f in clip {
            let t = DispatchTime.now().uptimeNanoseconds
            results.append(try predictor.predict(f))
            predictMs.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        let ref = try reference(o, loops: loops)
        let refPredict = ref["predict_ms"] as? Double ?? .nan
        let refTrackers = ref["trackers"] as? [String: Double] ?? [:]
        let p = Stats(predictMs).median
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "?"
        print("CPU: \(cpu); \(clip.count) frames of 360x540, predict median: ours \(String(format: "%.1f", p)) ms, Ultralytics \(String(format: "%.1f", refPredict)) ms")
        print("tracker     ours ms/frame  overhead  Ultralytics ms/frame  overhead  ours/Ultralytics")
        for name in ["bytetrack", "botsort", "tracktrack"] {
            let session = try TrackingSession(tracker: "\(name).yaml", persist: true)
            var ms: [Double] = []
            for (r, f) in zip(results, clip) {
                let t = DispatchTime.now().uptimeNanoseconds
                _ = session.process(r, image: f)
                ms.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
            let m = Stats(ms).median, rm = refTrackers[name] ?? .nan
            print(String(format: "%-11@ %13.3f  %7.1f%%  %20.3f  %7.1f%%  %16.2f", name, m, 100 * m / p, rm,
                         100 * rm / refPredict, m / rm))
        }
    }

    static func reference(_ o: Options, loops: Int) throws -> [String: Any] {
        let run = try runCapturing(o.python, [root.appendingPathComponent("Scripts/bench/track_overhead.py").path,
                                              "--model", o.model, "--loops", String(loops)], env: ["YOLO_OFFLINE": "1"])
        guard run.status == 0, let line = run.output.split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "Scripts/bench/track_overhead.py failed"])
        }
        return json
    }
}
