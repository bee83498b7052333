import XCTest
@testable import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// `DetectHead.decode` on NHWC maps and, read in place, on blocked (`nChw8c`) ones, against the decode written out here
/// in Swift (Ultralytics' rule: DFL softmax expectation, xywh in pixels, class sigmoid, keypoints `(raw·2 + cell) ·
/// stride` with sigmoid visibility).
///
/// Tolerances: boxes and keypoints within 1e-4 absolute + 1e-6 relative (values up to ~100 here; the DFL softmax's
/// vector exp is ~1 ulp from Foundation's and its sums are taken in another order). Probabilities exactly: they are
/// `1 / (1 + expf(−x))` as here, since a random-init head's scores sit near the 0.001 confidence threshold, where an ulp
/// decides what validation keeps (ValOutputsTests' k5 metrics against the reference's). The two layouts must agree bit
/// for bit: only the reads differ.
final class HeadDecodeTests: XCTestCase {
    private struct Geometry {
        var nc: Int, kpt: [Int]?
        var sizes: [(Int, Int)]
        var batch: Int
    }

    private let geometries: [Geometry] = [
        Geometry(nc: 1, kpt: [17, 3], sizes: [(5, 7), (3, 4), (2, 2)], batch: 1),   // yolov8-pose's head
        Geometry(nc: 3, kpt: [5, 2], sizes: [(4, 3), (2, 2)], batch: 2),            // channels off the blocks of 8
        Geometry(nc: 11, kpt: nil, sizes: [(3, 5)], batch: 2),                      // detection
    ]

    private func levels(_ g: Geometry, head: DetectHead, rng: inout SeededGenerator) -> [HeadLevel] {
        let nk = g.kpt.map { $0[0] * $0[1] } ?? 0
        func random(_ c: Int, _ h: Int, _ w: Int, scale: Float) -> Tensor {
            Tensor(shape: [g.batch, h, w, c], values: (0..<(g.batch * h * w * c)).map { _ in
                Float.random(in: -scale...scale, using: &rng)
            })
        }
        return g.sizes.map { h, w in
            HeadLevel(box: random(4 * head.regMax, h, w, scale: 6), cls: random(g.nc, h, w, scale: 8),
                      kpt: nk > 0 ? random(nk, h, w, scale: 3) : nil)
        }
    }

    /// The decode of `levels` (NHWC), in Swift.
    private func expected(_ levels: [HeadLevel], head: DetectHead) -> [Float] {
        let n = levels[0].box.shape[0], nc = head.nc
        let (k, d) = head.kptShape.map { ($0[0], $0[1]) } ?? (0, 0)
        let anchors = levels.reduce(0) { $0 + $1.box.shape[1] * $1.box.shape[2] }
        let channels = 4 + nc + k * d
        var out = [Float](repeating: 0, count: n * channels * anchors)
        func sigmoid(_ v: Float) -> Float { 1 / (1 + Foundation.exp(-v)) }
        var a0 = 0
        for (i, lv) in levels.enumerated() {
            let (h, w) = (lv.box.shape[1], lv.box.shape[2]), s = head.stride[i], r = head.regMax
            let box = lv.box.toArray(), cls = lv.cls.toArray(), kpt = lv.kpt?.toArray() ?? []
            for b in 0..<n {
                for y in 0..<h {
                    for x in 0..<w {
                        let p = (b * h + y) * w + x, a = a0 + y * w + x
                        func put(_ c: Int, _ v: Float) { out[(b * channels + c) * anchors + a] = v }
                        let dist = (0..<4).map { side -> Float in
                            let z = (0..<r).map { box[p * 4 * r + side * r + $0] }
                            let m = z.max()!
                            let e = z.map { Foundation.exp($0 - m) }
                            return zip(e, 0..<r).reduce(0) { $0 + $1.0 * Float($1.1) } / e.reduce(0, +)
                        }
                        let (ax, ay) = (Float(x) + 0.5, Float(y) + 0.5)
                        let (x1, y1, x2, y2) = (ax - dist[0], ay - dist[1], ax + dist[2], ay + dist[3])
                        put(0, (x1 + x2) / 2 * s); put(1, (y1 + y2) / 2 * s); put(2, (x2 - x1) * s); put(3, (y2 - y1) * s)
                        for c in 0..<nc { put(4 + c, sigmoid(cls[p * nc + c])) }
                        for j in 0..<k {
                            let raw = Array(kpt[(p * k + j) * d..<(p * k + j + 1) * d])
                            put(4 + nc + j * d, (raw[0] * 2 + (ax - 0.5)) * s)
                            put(4 + nc + j * d + 1, (raw[1] * 2 + (ay - 0.5)) * s)
                            if d == 3 { put(4 + nc + j * d + 2, sigmoid(raw[2])) }
                        }
                    }
                }
            }
            a0 += h * w
        }
        return out
    }

    func testBothLayoutsMatchTheRule() {
        var rng = SeededGenerator(seed: 4242)
        for g in geometries {
            let head = DetectHead(nc: g.nc, kptShape: g.kpt, channels: g.sizes.map { _ in 16 })
            head.stride = [8, 16, 32].prefix(g.sizes.count).map { $0 }
            let nhwc = levels(g, head: head, rng: &rng)
            let want = expected(nhwc, head: head)
            let got = head.decode(nhwc).toArray()
            let blocked = nhwc.map { HeadLevel(box: $0.box.toBlocked(), cls: $0.cls.toBlocked(), kpt: $0.kpt?.toBlocked()) }
            XCTAssertTrue(blocked.allSatisfy { $0.box.layout == .nChw8c && $0.cls.layout == .nChw8c })
            let gotBlocked = head.decode(blocked).toArray()
            XCTAssertTrue(blocked.allSatisfy { $0.box.layout == .nChw8c }, "the decode reads blocked maps in place")
            let label = "nc \(g.nc), kpt \(g.kpt ?? []), batch \(g.batch)"
            let differing = zip(got, gotBlocked).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(differing, 0, "\(label): values where the NHWC and blocked decodes differ")
            let channels = 4 + g.nc + (g.kpt.map { $0[0] * $0[1] } ?? 0)
            let anchors = want.count / channels / g.batch
            var pixel: ([Float], [Float]) = ([], []), prob: ([Float], [Float]) = ([], [])
            for i in 0..<want.count {
                let c = (i / anchors) % channels, kc = c - 4 - g.nc
                let isProb = (c >= 4 && kc < 0) || (kc >= 0 && g.kpt?[1] == 3 && kc % 3 == 2)
                if isProb { prob.0.append(got[i]); prob.1.append(want[i]) } else { pixel.0.append(got[i]); pixel.1.append(want[i]) }
            }
            assertClose(pixel.0, pixel.1, atol: 1e-4, rtol: 1e-6, "\(label) boxes/keypoints")
            XCTAssertEqual(zip(prob.0, prob.1).filter { $0.bitPattern != $1.bitPattern }.count, 0, "\(label) probabilities")
        }
    }

    /// A NaN logit gives a NaN score and a NaN visibility, as the reference's sigmoid does, in both layouts.
    func testNaNLogitsStayNaN() {
        let head = DetectHead(nc: 2, kptShape: [3, 3], channels: [16])
        head.stride = [8]
        var rng = SeededGenerator(seed: 7)
        let g = Geometry(nc: 2, kpt: [3, 3], sizes: [(2, 3)], batch: 1)
        let lv = levels(g, head: head, rng: &rng)[0]
        let cls = lv.cls.toArray(), kpt = lv.kpt!.toArray()
        var badCls = cls, badKpt = kpt
        badCls[1 * 2 + 1] = .nan   // pixel 1, class 1
        badKpt[4 * 9 + 5] = .nan   // pixel 4, keypoint 1's visibility
        let nan = HeadLevel(box: lv.box, cls: Tensor(shape: lv.cls.shape, values: badCls),
                            kpt: Tensor(shape: lv.kpt!.shape, values: badKpt))
        for level in [nan, HeadLevel(box: nan.box.toBlocked(), cls: nan.cls.toBlocked(), kpt: nan.kpt!.toBlocked())] {
            let out = head.decode([level]).toArray()
            let anchors = 6
            XCTAssertTrue(out[(4 + 1) * anchors + 1].isNaN, "class score of a NaN logit")
            XCTAssertTrue(out[(4 + 2 + 5) * anchors + 4].isNaN, "visibility of a NaN logit")
            XCTAssertEqual(out.filter(\.isNaN).count, 2, "no other value is NaN")
        }
    }
}
