import Foundation
import YOLOModel
import YOLONN
import YOLOTensor

/// Forward benchmark: ours against ONNX Runtime and Ultralytics/PyTorch on the same random-init
/// checkpoint, in the same run. Usage:
///   yolo-bench [--scales n,s] [--imgsz 640] [--runs 30] [--warmup 5] [--rounds 1] [--quantize 16] [--python PATH] [--out DIR] [--onnx]
///   (--quantize 16 runs ours in bf16 as `yolo pose predict quantize=16` does, where the CPU has native bf16.)
///   (--rounds R alternates the reference process and ours R times and prints the median of the per-round ratios,
///   which a machine whose speed drifts between the two halves of a round distorts less than one long round.)
///   yolo-bench --train [--imgsz 640] [--repeats 1] [key=value …]     `yolo pose train` end to end vs Ultralytics
///   yolo-bench --loader [--imgsz 640]                                  training loader throughput (ours)
///   yolo-bench --shapes DIR [--model PT] [--repeats 3] [--quantize 16]   first image of a new letterbox shape vs repeated
///   yolo-bench --track [--model PT]                                    tracker cost per frame next to predict, vs Ultralytics
///   yolo-bench --layouts [--model PT] [--imgsz 640] [--runs 30]      NHWC vs blocked (nChw8c) convolutions, interleaved
///   yolo-bench --export [onnx,torchscript,openvino,ncnn] [--model PT] [--repeats 3] [key=value …]   `yolo export` vs Ultralytics
/// The reference side runs Scripts/bench/ort_forward.py in the reference venv (see Scripts/bench/README.md).

struct Options {
    var scales = ["n", "s"]
    var imgsz = 640
    var runs = 30
    var warmup = 5
    /// Forward table: alternate reference and ours this many times (each with `runs` timed runs).
    var rounds = 1
    /// Our convolution arithmetic (`--quantize 16`: bf16).
    var precision = ConvPrecision.float32
    var python = ProcessInfo.processInfo.environment["YOLO_REF_PYTHON"] ?? "/work/refvenv/bin/python"
    var out = NSTemporaryDirectory() + "yolo-bench"
    /// Time only our forward on an existing checkpoint (no reference process).
    var oursOnly: String?
    /// Time our ONNX evaluator against our `.pt` forward and ONNX Runtime on the same exported file.
    var onnx = false
    /// Time `yolo pose predict` end to end (ours vs Ultralytics' CLI) on this folder of images.
    var predictDir: String?
    /// Time the first image of each new letterbox shape against repeated shapes (ours) on this folder.
    var shapesDir: String?
    var model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/trained-n-pose.pt").path
    var repeats = 3
    /// Time `yolo pose train` end to end (ours vs Ultralytics' CLI); the remaining `key=value` words are passed on.
    var train = false
    var trainArgs: [String] = []
    /// Time `yolo export` per format (ours vs Ultralytics' CLI); nil formats = all four.
    var export = false
    /// Time the training loader (ours only).
    var loader = false
    /// Time the trackers per frame next to predict (ours vs Ultralytics).
    var track = false
    /// Time our forward with NHWC convolutions against the default layout policy, interleaved forward by forward.
    var layouts = false
    var exportFormats: [String]?

    init(_ argv: [String]) {
        var i = 0
        func next() -> String { i += 1; return i < argv.count ? argv[i] : "" }
        while i < argv.count {
            switch argv[i] {
            case "--scales": scales = next().split(separator: ",").map(String.init)
            case "--imgsz": imgsz = Int(next()) ?? imgsz
            case "--runs": runs = Int(next()) ?? runs
            case "--warmup": warmup = Int(next()) ?? warmup
            case "--rounds": rounds = max(1, Int(next()) ?? rounds)
            case "--quantize":
                let q = next()
                guard q == "16" || q == "32" else {
                    FileHandle.standardError.write(Data("--quantize takes 16 (bf16) or 32\n".utf8)); exit(2)
                }
                precision = q == "16" ? .bfloat16 : .float32
            case "--python": python = next()
            case "--out": out = next()
            case "--ours-only": oursOnly = next()
            case "--predict": predictDir = next()
            case "--shapes": shapesDir = next()
            case "--model": model = next()
            case "--repeats": repeats = Int(next()) ?? repeats
            case "--train": train = true
            case let kv where kv.contains("=") && (train || export): trainArgs.append(kv)
            case "--export":
                export = true
                if i + 1 < argv.count, !argv[i + 1].hasPrefix("-"), !argv[i + 1].contains("=") {
                    exportFormats = next().split(separator: ",").map(String.init)
                }
            case "--onnx": onnx = true
            case "--loader": loader = true
            case "--track": track = true
            case "--layouts": layouts = true
            default: FileHandle.standardError.write(Data("unknown option \(argv[i])\n".utf8)); exit(2)
            }
            i += 1
        }
    }
}

struct Stats {
    let median, min, mean: Double
    /// The timings the statistics came from.
    let samples: [Double]
    init(_ ms: [Double]) {
        samples = ms
        let s = ms.sorted()
        median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        min = s.first ?? .nan
        mean = s.reduce(0, +) / Double(max(s.count, 1))
    }
}

func reference(_ o: Options, scale: String) throws -> [String: Any] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/bench/ort_forward.py").path
    let run = try runCapturing(o.python, [script, "--scale", scale, "--imgsz", String(o.imgsz), "--runs", String(o.runs),
                                          "--warmup", String(o.warmup), "--out", o.out])
    guard run.status == 0, let line = run.output.split(separator: "\n").last,
          let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "reference script failed (\(o.python) \(script))"])
    }
    return json
}

func ours(_ pt: String, _ o: Options) throws -> Stats {
    let net = try YOLONetwork.load(pt, task: "pose")
    net.fuse()
    net.setPrecision(o.precision)
    var x = Tensor(shape: [1, o.imgsz, o.imgsz, 3], repeating: 0)
    var rng = SystemRandomNumberGenerator()
    x = Tensor(shape: x.shape, values: (0..<x.count).map { _ in Float.random(in: 0...1, using: &rng) })
    var times: [Double] = []
    withNoGrad {
        for i in 0..<(o.warmup + o.runs) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = net(x)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            if i >= o.warmup { times.append(dt) }
        }
    }
    if o.precision == .bfloat16 { printPrimitiveKinds(net) }
    if ProcessInfo.processInfo.environment["YOLO_PROFILE"] != nil {
        var per = [Int: [Double]]()
        net.layerTimer = { per[$0, default: []].append($1) }
        withNoGrad { for _ in 0..<10 { _ = net(x) } }
        for (i, t) in per.sorted(by: { $0.key < $1.key }) {
            print(String(format: "  layer %2d %-12@ %6.2f ms", i, "\(type(of: net.model.items[i]))", Stats(t).median))
        }
        net.layerTimer = nil
    }
    return Stats(times)
}

/// Which implementation each convolution primitive of `net` runs (bf16 runs: every one outside the head should name a
/// bf16 kernel, the head's float32 outputs — or the whole head, as Winograd, where `headRunsFloat32InBF16`; `ref:`
/// never).
func printPrimitiveKinds(_ net: YOLONetwork) {
    var kinds: [String: Int] = [:]
    for (_, m) in net.namedModules() {
        guard let conv = m as? Conv2d else { continue }
        for k in conv.cache.primitives { kinds[k.implementation + (k.isBF16 ? "" : " (fp32)"), default: 0] += 1 }
    }
    print("  primitives: " + kinds.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: ", "))
}

let o = Options(Array(CommandLine.arguments.dropFirst()))
try? FileManager.default.createDirectory(atPath: o.out, withIntermediateDirectories: true)
Log.enabled = false
if o.train {
    do { try TrainBench.run(options: o, extra: o.trainArgs) } catch { print("train bench failed: \(error)"); exit(1) }
    exit(0)
}
if o.loader {
    do { try LoaderBench.run(options: o) } catch { print("loader bench failed: \(error)"); exit(1) }
    exit(0)
}
if o.track {
    do { try TrackBench.run(options: o) } catch { print("track bench failed: \(error)"); exit(1) }
    exit(0)
}
if let dir = o.shapesDir {
    do { try ShapesBench.run(dir: dir, options: o) } catch { print("shapes bench failed: \(error)"); exit(1) }
    exit(0)
}
if o.export {
    do { try ExportBench.run(options: o, extra: o.trainArgs) } catch { print("export bench failed: \(error)"); exit(1) }
    exit(0)
}
if let dir = o.predictDir {
    try PredictBench.run(dir: dir, options: o)
    exit(0)
}
if o.onnx {
    for scale in o.scales { try ONNXBench.run(o, scale: scale) }
    exit(0)
}
if o.layouts {
    do { try LayoutBench.run(options: o) } catch { print("layout bench failed: \(error)"); exit(1) }
    exit(0)
}
if let pt = o.oursOnly {
    let s = try ours(pt, o)
    print(String(format: "%@: ours median %.1f ms, min %.1f ms, mean %.1f ms", pt, s.median, s.min, s.mean))
    exit(0)
}
print("forward, batch 1, \(o.imgsz)×\(o.imgsz), ours \(o.precision == .bfloat16 ? "bf16 (quantize=16) on \(ConvPrecision.bf16Hardware)" : "fp32"), \(o.runs) runs after \(o.warmup) warm-up\(o.rounds > 1 ? " per round, \(o.rounds) rounds" : ""); OMP_NUM_THREADS=\(ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "unset"); ours: oneDNN \(OneDNNInfo.isa), convolution layout \(ConvLayoutPolicy.current), Winograd \(ConvWinograd.isEnabled && ConvLayoutPolicy.blocksActivations ? "on" : "off")")
print("model          ours med/min (ms)   ORT med/min (ms)   OpenVINO med (ms)   torch med (ms)   ours/ORT   ours/OV   ours/torch")
var cpuLine: String?
var summaries: [String] = []
for scale in o.scales {
    var ratios: [[Double]] = [[], [], []]
    // Ours runs on both sides of the reference process from the second round on (the first creates the checkpoint) and
    // its timings are pooled, so drift of this shared machine during a round weighs on both sides alike.
    var checkpoint: String?
    for round in 1...o.rounds {
        do {
            let before = try checkpoint.map { try ours($0, o).samples } ?? []
            let ref = try reference(o, scale: scale)
            let ort = ref["ort_ms"] as? [String: Double] ?? [:]
            let torch = ref["torch_ms"] as? [String: Double] ?? [:]
            let ov = ref["openvino_ms"] as? [String: Double] ?? [:]
            if cpuLine == nil, let cpu = ref["cpu"] as? [String: Any] {
                cpuLine = "CPU \(cpu["model"] ?? "?"): AMX-BF16 \(cpu["amx_bf16"] as? Bool == true ? "yes" : "no"), "
                    + "AVX512_BF16 \(cpu["avx512_bf16"] as? Bool == true ? "yes" : "no"); OpenVINO precision "
                    + "\(ref["openvino_precision"] as? String ?? "n/a (not installed)")"
            }
            checkpoint = ref["pt"] as? String
            let s = Stats(before + (try ours(checkpoint ?? "", o)).samples)
            let ortMed = ort["median"] ?? .nan, torchMed = torch["median"] ?? .nan, ovMed = ov["median"] ?? .nan
            let r = [s.median / ortMed, s.median / ovMed, s.median / torchMed]
            for k in 0..<3 { ratios[k].append(r[k]) }
            let label = o.rounds > 1 ? "yolov8\(scale)-pose r\(round)" : "yolov8\(scale)-pose  "
            print(String(format: "%@ %7.1f / %-7.1f     %7.1f / %-7.1f    %7.1f            %7.1f        %5.2f      %5.2f     %5.2f",
                         label, s.median, s.min, ortMed, ort["min"] ?? .nan, ovMed, torchMed, r[0], r[1], r[2]))
        } catch {
            print("yolov8\(scale)-pose: \(error)")
        }
    }
    if o.rounds > 1, !ratios[0].isEmpty {
        let m = ratios.map { Stats($0).median }
        summaries.append(String(format: "yolov8%@-pose, median of %d rounds: ours/ORT %.2f (%.2f–%.2f), ours/OV %.2f (%.2f–%.2f), ours/torch %.2f",
                                scale, ratios[0].count, m[0], ratios[0].min() ?? .nan, ratios[0].max() ?? .nan,
                                m[1], ratios[1].min() ?? .nan, ratios[1].max() ?? .nan, m[2]))
    }
}
for line in summaries { print(line) }
if let cpuLine { print(cpuLine) }
