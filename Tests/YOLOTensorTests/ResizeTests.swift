import Foundation
import XCTest
import YOLOTensor
import YOLOTestSupport

/// `resizedBilinear` (multi_scale training) against torch's `F.interpolate(bilinear, align_corners=False)` run by
/// Scripts/reference/interpolate_bilinear.py on the same values: within 1e-5 (the four-tap sums may round in
/// another order), for shrinking, growing, mixed and identity sizes.
final class ResizeTests: XCTestCase {
    func testMatchesTorchInterpolate() throws {
        var rng = TestRNG(31)
        let x = randomTensor([2, 13, 17, 3], &rng, lo: 0, hi: 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.f32")
        try x.toArray().withUnsafeBytes { Data($0) }.write(to: input)
        let sizes = [(6, 9), (32, 40), (8, 30), (13, 17), (1, 1)]
        _ = try ReferencePython.run("interpolate_bilinear.py",
                                    [input.path, "2", "13", "17", "3", dir.path] + sizes.map { "\($0.0)x\($0.1)" })
        for (h, w) in sizes {
            let out = dir.appendingPathComponent("out-\(h)x\(w).f32")
            let expected = try Data(contentsOf: out).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let got = x.resizedBilinear(height: h, width: w)
            XCTAssertEqual(got.shape, [2, h, w, 3])
            XCTAssertEqual(expected.count, got.count)
            let diff = zip(got.toArray(), expected).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(diff, 1e-5, "\(h)×\(w)")
        }
    }
}
