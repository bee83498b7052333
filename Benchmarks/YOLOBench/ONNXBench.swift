import Foundation
import YOLOModel
import YOLOONNX
import YOLOTensor

/// `yolo-bench --onnx`: our ONNX evaluator on the reference's exported `.onnx` against our `.pt` forward of the same
/// checkpoint (interleaved, same input) and ONNX Runtime on the same file (Scripts/bench/ort_forward.py, run first in
/// its own process), batch 1 at `--imgsz`.
enum ONNXBench {
    static func run(_ o: Options, scale: String) throws {
        let ref = try reference(o, scale: scale)
        let ort = ref["ort_ms"] as? [String: Double] ?? [:]
        guard let pt = ref["pt"] as? String, let onnxPath = ref["onnx"] as? String else { throw NSError(domain: "bench", code: 2) }
        let net = try YOLONetwork.load(pt, task: "pose")
        net.fuse()
        let onnx = try ONNXModel(contentsOf: onnxPath)
        var rng = SystemRandomNumberGenerator()
        let x = Tensor(shape: [1, o.imgsz, o.imgsz, 3], values: (0..<(o.imgsz * o.imgsz * 3)).map { _ in Float.random(in: 0...1, using: &rng) })
        var tPT: [Double] = [], tONNX: [Double] = []
        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        }
        var yPT = Tensor(shape: [1]), yONNX = Tensor(shape: [1])
        for i in 0..<(o.warmup + o.runs) {
            let a = withNoGrad { time { yPT = net(x) } }
            let b = try time { yONNX = try onnx.forward(x) }
            if i >= o.warmup { tPT.append(a); tONNX.append(b) }
        }
        if let p = onnx.profiler { print("  per op over \(o.warmup + o.runs) runs:"); p.report.forEach { print("    " + $0) } }
        let diff = zip(yPT.toArray(), yONNX.toArray()).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        let sp = Stats(tPT), so = Stats(tONNX)
        print("yolov8\(scale)-pose \(o.imgsz)×\(o.imgsz) batch 1: \(onnx.programSummary)")
        print(String(format: "  ours ONNX   median %7.1f ms  min %7.1f ms", so.median, so.min))
        print(String(format: "  ours .pt    median %7.1f ms  min %7.1f ms   (ONNX/.pt %.2f)", sp.median, sp.min, so.median / sp.median))
        print(String(format: "  ORT         median %7.1f ms  min %7.1f ms   (ours ONNX/ORT %.2f)", ort["median"] ?? .nan,
                     ort["min"] ?? .nan, so.median / (ort["median"] ?? .nan)))
        print(String(format: "  max |ONNX − .pt| on the output: %.2e", diff))
    }
}
