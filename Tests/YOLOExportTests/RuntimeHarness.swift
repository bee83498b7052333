import Foundation
import YOLOTensor
import YOLOTestSupport

/// The scratch folder shared by the runtime harnesses (ONNX Runtime, OpenVINO/ncnn): fixture copies (exports are
/// written beside the weights) and NCHW float32 input files as the Python runners read them.
class RuntimeHarness {
    /// A scratch folder, removed on `cleanUp()`.
    let directory: URL
    private var inputCount = 0

    init(prefix: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Copies a fixture checkpoint into `sub` of the scratch folder.
    func copy(_ fixture: String, into sub: String = "") throws -> String {
        let folder = directory.appendingPathComponent(sub)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dst = folder.appendingPathComponent(fixture)
        if !FileManager.default.fileExists(atPath: dst.path) {
            try FileManager.default.copyItem(at: Fixtures.url(fixture), to: dst)
        }
        return dst.path
    }

    /// Writes an NHWC input as an NCHW float32 file; returns its spec (`file`, `shape`).
    func input(_ x: Tensor) throws -> [String: Any] {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var nchw = [Float](repeating: 0, count: x.count)
        for b in 0..<n {
            for y in 0..<h {
                for xx in 0..<w {
                    for ch in 0..<c { nchw[((b * c + ch) * h + y) * w + xx] = x.pointer[((b * h + y) * w + xx) * c + ch] }
                }
            }
        }
        inputCount += 1
        let url = directory.appendingPathComponent("in-\(inputCount).f32")
        try nchw.withUnsafeBytes { try Data($0).write(to: url) }
        return ["file": url.path, "shape": [n, c, h, w]]
    }
}
