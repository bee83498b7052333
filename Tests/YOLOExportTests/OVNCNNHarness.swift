import Foundation
import XCTest
import YOLOData
import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOExport

/// Runs exported OpenVINO and ncnn folders under their own runtimes (the reference venv's `openvino` and `ncnn`
/// packages, via `Scripts/reference/run_openvino_ncnn.py`) on our inputs, and computes our own forward.
final class OVNCNNHarness: RuntimeHarness {
    private var jobs: [[String: Any]] = []

    init() throws { try super.init(prefix: "ovn-tests") }

    /// Queues the export folder `model` (`openvino` or `ncnn`) to run on `inputs`; returns the run's index.
    @discardableResult
    func add(_ format: String, model: URL, inputs: [Tensor]) throws -> Int {
        let out = directory.appendingPathComponent("run-\(jobs.count)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        jobs.append(["format": format, "model": model.path, "inputs": try inputs.map(input), "out_dir": out.path])
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
        let result = try ReferencePython.json("run_openvino_ncnn.py", [jobURL.path], timeout: 600)
        return try (result["runs"] as! [[String: Any]]).map { r in
            let outs = try (r["outputs"] as! [[String: Any]]).map { o -> (shape: [Int], values: [Float]) in
                let data = try Data(contentsOf: URL(fileURLWithPath: o["file"] as! String))
                return (o["shape"] as! [Int], data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            }
            return Run(describe: r["describe"] as! [String: Any], outputs: outs)
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

    /// Our own forward of the fused network, cached per checkpoint and input (the test classes share inputs).
    static func forward(_ fixture: String, _ x: Tensor) throws -> Tensor {
        let values = x.toArray()
        let key = "\(fixture)|\(x.shape)|\(values.reduce(0, +))|\(values.enumerated().reduce(0) { $0 + Float($1.offset % 97) * $1.element })"
        lock.lock()
        let cached = forwards[key]
        lock.unlock()
        if let cached { return cached }
        let net = try YOLONetwork.load(Fixtures.path(fixture))
        net.fuse()
        let y = withNoGrad { net(x) }
        lock.lock()
        forwards[key] = y
        lock.unlock()
        return y
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var forwards: [String: Tensor] = [:]

    /// Largest |a − b| over the pixel channels (boxes, keypoint x/y/visibility) and over the class scores of an
    /// output `[b, 4 + nc + K·D, A]`.
    static func difference(_ a: [Float], _ b: [Float], channels: Int, nc: Int) -> (pixels: Float, scores: Float) {
        precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
        let anchors = a.count / channels
        var pixels: Float = 0, scores: Float = 0
        for i in 0..<a.count {
            let ch = (i / anchors) % channels
            let d = (a[i] - b[i]).isNaN ? Float.infinity : abs(a[i] - b[i])
            if ch >= 4 && ch < 4 + nc { scores = max(scores, d) } else { pixels = max(pixels, d) }
        }
        return (pixels, scores)
    }

    /// The reference's export facts (Tests/Fixtures/export/openvino-ncnn-reference.json, made by
    /// Scripts/reference/make_openvino_ncnn_fixtures.py): `[checkpoint][format-precision]`.
    static func reference() throws -> [String: [String: [String: Any]]] {
        let data = try Data(contentsOf: Fixtures.url("export/openvino-ncnn-reference.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return json["checkpoints"] as! [String: [String: [String: Any]]]
    }

    /// `metadata.yaml` with its date replaced by `<date>`.
    static func maskedMetadata(_ folder: URL) throws -> String {
        let text = try String(contentsOf: folder.appendingPathComponent("metadata.yaml"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("date: ") ? "date: <date>" : String($0) }.joined(separator: "\n")
    }

    /// Names and sizes of the files in a folder.
    static func files(_ folder: URL) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let attrs = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            out[name] = (attrs[.size] as? NSNumber)?.intValue ?? 0
        }
        return out
    }
}
