import Foundation
import XCTest
import YOLOData
import YOLOTensor
import YOLOTestSupport

/// The reference side of the ONNX-reader tests: Ultralytics' exports of overfit-n-pose.pt (made at test time with
/// Scripts/reference/export_onnx.py — 13 MB each, so not committed — and kept in a temp cache keyed by the
/// checkpoint), ONNX Runtime outputs (Scripts/reference/run_onnx.py), and Tests/Fixtures/onnx/reference.json (what
/// Ultralytics predicts and validates with those files, from make_onnx_read_fixtures.py).
enum ONNXReference {
    /// Export cases as in make_onnx_read_fixtures.py.
    static let exportArguments: [String: [String: Any]] = ["n-static": [:], "n-nms": ["nms": true]]

    /// Paths of the test-time exports, made once per process (or reused from the cache folder).
    static let exports: Result<[String: String], Error> = Result {
        let pt = Fixtures.url("overfit-n-pose.pt")
        let size = (try FileManager.default.attributesOfItem(atPath: pt.path)[.size] as? Int) ?? 0
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolo-onnx-read-exports-\(size)-v1")
        var files: [String: String] = [:]
        for name in exportArguments.keys.sorted() {
            let f = dir.appendingPathComponent("\(name).onnx").path
            if FileManager.default.fileExists(atPath: f) { files[name] = f }
        }
        if files.count == exportArguments.count { return files }
        try? FileManager.default.removeItem(at: dir)
        let job: [String: Any] = ["out_dir": dir.path, "exports": exportArguments.keys.sorted().map {
            ["name": $0, "checkpoint": pt.path, "args": exportArguments[$0]!] as [String: Any]
        }]
        let jobURL = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-export-job-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: job).write(to: jobURL)
        defer { try? FileManager.default.removeItem(at: jobURL) }
        let result = try ReferencePython.json("export_onnx.py", [jobURL.path])
        return result["files"] as! [String: String]
    }

    /// The test-time Ultralytics export `name` ("n-static", "n-nms").
    static func export(_ name: String) throws -> String {
        if let reason = ReferencePython.unavailableReason { throw XCTSkip(reason) }
        return try exports.get()[name]!
    }

    /// Tests/Fixtures/onnx/reference.json.
    static let fixture: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.url("onnx/reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    /// ONNX Runtime (CPU) outputs of `model` for NCHW `inputs` (first output of each run).
    static func onnxRuntime(_ model: String, _ inputs: [Tensor]) throws -> [Tensor] {
        if let reason = ReferencePython.unavailableReason { throw XCTSkip(reason) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ort-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var specs: [[String: Any]] = []
        for (i, x) in inputs.enumerated() {
            let f = dir.appendingPathComponent("in-\(i).f32")
            try Data(buffer: UnsafeBufferPointer(start: x.pointer, count: x.count)).write(to: f)
            specs.append(["file": f.path, "shape": x.shape])
        }
        let job: [String: Any] = ["runs": [["model": model, "inputs": specs, "out_dir": dir.path]]]
        let jobURL = dir.appendingPathComponent("job.json")
        try JSONSerialization.data(withJSONObject: job).write(to: jobURL)
        let result = try ReferencePython.json("run_onnx.py", [jobURL.path])
        let outs = ((result["runs"] as! [[String: Any]])[0]["outputs"] as! [[String: Any]])
        return try outs.map { o in
            let data = try Data(contentsOf: URL(fileURLWithPath: o["file"] as! String))
            let shape = o["shape"] as! [Int]
            let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            return Tensor(shape: shape, values: values)
        }
    }

    /// A coco8-pose val image letterboxed to `size` without `auto`, as NHWC RGB in [0, 1].
    static func letterboxedInput(_ file: String, size: (Int, Int)) throws -> Tensor {
        let image = try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent("images/val/\(file)"))
        return letterbox(image, to: size, auto: false).image.toTensorRGB01()
    }

    /// NHWC → NCHW copy.
    static func nchw(_ x: Tensor) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor(uninitializedShape: [n, c, h, w])
        for b in 0..<n { for y in 0..<h { for xx in 0..<w { for k in 0..<c {
            out.pointer[((b * c + k) * h + y) * w + xx] = x.pointer[((b * h + y) * w + xx) * c + k]
        } } } }
        return out
    }

    /// NCHW uint8 .npy fixture (NHWC) → NHWC float in [0, 1].
    static func npyInput(_ name: String) throws -> Tensor {
        let a = try NpyArray(contentsOf: Fixtures.url(name))
        return Tensor(shape: a.shape, values: a.values.map { $0 / 255 })
    }
}
