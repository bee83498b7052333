import Foundation
import XCTest
import YOLOData
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOExport

/// Runs exported models under ONNX Runtime (the reference venv, `Scripts/reference/run_onnx.py`) on our own inputs.
final class ORTHarness: RuntimeHarness {
    private var jobs: [[String: Any]] = []

    init() throws { try super.init(prefix: "export-tests") }

    /// Queues `model` to run on `inputs`; returns the run's index.
    @discardableResult
    func add(model: URL, inputs: [Tensor]) throws -> Int {
        let out = directory.appendingPathComponent("run-\(jobs.count)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        jobs.append(["model": model.path, "inputs": try inputs.map(input), "out_dir": out.path])
        return jobs.count - 1
    }

    struct Run {
        let describe: [String: Any]
        let outputs: [(shape: [Int], values: [Float])]
    }

    /// Runs every queued model in one interpreter; returns the runs in order.
    func run() throws -> [Run] {
        let jobURL = directory.appendingPathComponent("job-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["runs": jobs]).write(to: jobURL)
        jobs = []
        let result = try ReferencePython.json("run_onnx.py", [jobURL.path], timeout: 300)
        return try (result["runs"] as! [[String: Any]]).map { r in
            let outs = try (r["outputs"] as! [[String: Any]]).map { o -> ([Int], [Float]) in
                let data = try Data(contentsOf: URL(fileURLWithPath: o["file"] as! String))
                let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return (o["shape"] as! [Int], values)
            }
            return Run(describe: r["describe"] as! [String: Any], outputs: outs.map { (shape: $0.0, values: $0.1) })
        }
    }

    /// coco8-pose images letterboxed (centred, pad 114) to `h`×`w`, stacked into one NHWC batch.
    static func letterboxed(_ files: [String], height h: Int, width w: Int) throws -> Tensor {
        let x = Tensor(uninitializedShape: [files.count, h, w, 3])
        for (i, f) in files.enumerated() {
            let image = try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent("images").appendingPathComponent(f))
            letterbox(image, to: (h, w), auto: false).image.writeRGB01(into: x.pointer + i * h * w * 3)
        }
        x.markModified()
        return x
    }

    /// The committed letterboxed 320×320 input (val/000000000110.jpg) as NHWC 0…1.
    static func fixtureInput320() throws -> Tensor {
        let u8 = try NpyArray(contentsOf: Fixtures.url("input-320x320.npy"))
        return Tensor(shape: u8.shape, values: u8.values.map { $0 / 255 })
    }

    nonisolated(unsafe) private static var fused: [String: YOLONetwork] = [:]

    /// Our own forward of the fused network (loaded once per fixture and fused; exports use their own copy).
    static func forward(_ fixture: String, _ x: Tensor) throws -> Tensor {
        let net = try fused[fixture] ?? YOLONetwork.load(Fixtures.path(fixture))
        net.fuse()
        fused[fixture] = net
        return forward(net, x)
    }

    /// The forward of `net` (fused first if needed).
    static func forward(_ net: YOLONetwork, _ x: Tensor) -> Tensor {
        net.fuse()
        return withNoGrad { net(x) }
    }
}

/// Largest |a − b| and where.
func maxDifference(_ a: [Float], _ b: [Float]) -> (value: Float, index: Int) {
    var best: Float = 0, at = 0
    for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > best || (a[i] - b[i]).isNaN {
        best = (a[i] - b[i]).isNaN ? .infinity : abs(a[i] - b[i])
        at = i
    }
    return (best, at)
}
