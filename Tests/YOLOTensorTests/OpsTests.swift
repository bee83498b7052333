import XCTest
import YOLOTensor
import YOLOTestSupport

/// Forward values of the non-convolution ops.
final class OpsTests: XCTestCase {
    /// Reference max pool with −∞ padding (PyTorch semantics, floor mode).
    func naivePool(_ x: Tensor, _ k: Int, _ s: Int, _ p: Int) -> (shape: [Int], values: [Float]) {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        var out = [Float]()
        let v = x.toArray()
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
            var m = -Float.infinity
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy * s - p + ky, ix = ox * s - p + kx
                if iy >= 0 && iy < h && ix >= 0 && ix < w { m = max(m, v[((b * h + iy) * w + ix) * c + ch]) }
            } }
            out.append(m)
        } } } }
        return ([n, oh, ow, c], out)
    }

    func testMaxPoolSPPF() {
        var rng = TestRNG(1)
        for shape in [[1, 8, 8, 3], [2, 5, 7, 4], [1, 1, 1, 2], [1, 20, 20, 16]] {
            let x = randomTensor(shape, &rng)
            let y = x.maxPool2d(kernel: 5, stride: 1, padding: 2)
            let ref = naivePool(x, 5, 1, 2)
            XCTAssertEqual(y.shape, ref.shape)
            XCTAssertEqual(y.toArray(), ref.values, "maxpool 5/1/2 on \(shape)")
        }
    }

    /// Padding is −∞, not 0: on an all-negative input the border outputs stay negative.
    func testMaxPoolPaddingIsNegativeInfinity() {
        let x = Tensor(shape: [1, 3, 3, 1], values: (1...9).map { -Float($0) })
        let y = x.maxPool2d(kernel: 5, stride: 1, padding: 2)
        XCTAssertEqual(y.toArray(), [-1, -1, -1, -1, -1, -1, -1, -1, -1])
        let y3 = x.maxPool2d(kernel: 3, stride: 1, padding: 1)
        XCTAssertEqual(y3.toArray(), [-1, -1, -2, -1, -1, -2, -4, -4, -5])
        XCTAssertTrue(y3.toArray().allSatisfy { $0.isFinite })
    }

    func testMaxPoolOtherGeometries() {
        var rng = TestRNG(2)
        for (shape, k, s, p) in [([1, 7, 7, 3], 2, 2, 0), ([1, 7, 6, 3], 3, 2, 1), ([2, 9, 9, 5], 3, 3, 0), ([1, 4, 4, 1], 1, 1, 0)] {
            let x = randomTensor(shape, &rng)
            let ref = naivePool(x, k, s, p)
            let y = x.maxPool2d(kernel: k, stride: s, padding: p)
            XCTAssertEqual(y.shape, ref.shape, "\(shape) k\(k) s\(s) p\(p)")
            XCTAssertEqual(y.toArray(), ref.values, "\(shape) k\(k) s\(s) p\(p)")
        }
    }

    func testUpsampleNearest() {
        let x = Tensor(shape: [1, 2, 2, 2], values: [1, 10, 2, 20, 3, 30, 4, 40])
        let y = x.upsampleNearest(2)
        XCTAssertEqual(y.shape, [1, 4, 4, 2])
        let v = y.toArray()
        let ch0 = stride(from: 0, to: v.count, by: 2).map { v[$0] }
        XCTAssertEqual(ch0, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        let ch1 = stride(from: 1, to: v.count, by: 2).map { v[$0] }
        XCTAssertEqual(ch1, ch0.map { $0 * 10 })
        var rng = TestRNG(3)
        let z = randomTensor([2, 3, 5, 3], &rng)
        let u = z.upsampleNearest(3), zv = z.toArray(), uv = u.toArray()
        XCTAssertEqual(u.shape, [2, 9, 15, 3])
        for b in 0..<2 { for oy in 0..<9 { for ox in 0..<15 { for c in 0..<3 {
            XCTAssertEqual(uv[((b * 9 + oy) * 15 + ox) * 3 + c], zv[((b * 3 + oy / 3) * 5 + ox / 3) * 3 + c])
        } } } }
        XCTAssertEqual(z.upsampleNearest(1).toArray(), zv)
    }

    /// Large enough to be split over threads (from 64k output values), NHWC (any channel count) and blocked (eight
    /// channels per vector), against the index rule.
    func testUpsampleNearestThreadedAndBlocked() {
        var rng = TestRNG(4)
        let (n, h, w, c) = (2, 20, 24, 40)
        let z = randomTensor([n, h, w, c], &rng), zv = z.toArray()
        for (label, y) in [("NHWC", z.upsampleNearest(2)), ("blocked", withNoGrad { z.toBlocked().upsampleNearest(2) })] {
            XCTAssertEqual(y.shape, [n, 2 * h, 2 * w, c], label)
            let yv = y.toArray()
            var wrong = 0
            for b in 0..<n { for oy in 0..<(2 * h) { for ox in 0..<(2 * w) { for ch in 0..<c {
                if yv[((b * 2 * h + oy) * 2 * w + ox) * c + ch] != zv[((b * h + oy / 2) * w + ox / 2) * c + ch] { wrong += 1 }
            } } } }
            XCTAssertEqual(wrong, 0, label)
        }
    }

    func testConcatSplitRoundTrip() {
        var rng = TestRNG(4)
        let a = randomTensor([2, 3, 4, 5], &rng), b = randomTensor([2, 3, 4, 1], &rng), c = randomTensor([2, 3, 4, 7], &rng)
        let cat = Tensor.concatChannels([a, b, c])
        XCTAssertEqual(cat.shape, [2, 3, 4, 13])
        let cv = cat.toArray(), av = a.toArray(), bv = b.toArray(), ccv = c.toArray()
        for r in 0..<24 {
            XCTAssertEqual(Array(cv[r * 13..<r * 13 + 5]), Array(av[r * 5..<r * 5 + 5]))
            XCTAssertEqual(cv[r * 13 + 5], bv[r])
            XCTAssertEqual(Array(cv[r * 13 + 6..<r * 13 + 13]), Array(ccv[r * 7..<r * 7 + 7]))
        }
        let parts = cat.splitChannels([5, 1, 7])
        XCTAssertEqual(parts.map(\.shape), [a.shape, b.shape, c.shape])
        XCTAssertEqual(parts[0].toArray(), av)
        XCTAssertEqual(parts[1].toArray(), bv)
        XCTAssertEqual(parts[2].toArray(), ccv)
        // Other split of the same tensor, then concat back.
        let again = Tensor.concatChannels(cat.splitChannels([2, 9, 2]))
        XCTAssertEqual(again.toArray(), cv)
        var expectedSlice = [Float]()
        for r in 0..<24 {
            expectedSlice.append(av[r * 5 + 4]); expectedSlice.append(bv[r]); expectedSlice.append(ccv[r * 7])
        }
        XCTAssertEqual(cat.sliceChannels(4, 3).toArray(), expectedSlice)
        // Zero-width slice and rank-2 concat.
        XCTAssertEqual(cat.sliceChannels(13, 0).shape, [2, 3, 4, 0])
        let m = Tensor.concatChannels([Tensor(shape: [2, 1], values: [1, 2]), Tensor(shape: [2, 2], values: [3, 4, 5, 6])])
        XCTAssertEqual(m.toArray(), [1, 3, 4, 2, 5, 6])
    }

    func testNCHWToNHWC() {
        let (n, c, h, w) = (2, 3, 4, 5)
        let vals = (0..<(n * c * h * w)).map { Float($0) }
        let y = Tensor(shape: [n, c, h, w], values: vals).nchwToNHWC()
        XCTAssertEqual(y.shape, [n, h, w, c])
        let yv = y.toArray()
        for b in 0..<n { for ch in 0..<c { for yy in 0..<h { for xx in 0..<w {
            XCTAssertEqual(yv[((b * h + yy) * w + xx) * c + ch], vals[((b * c + ch) * h + yy) * w + xx])
        } } } }
    }

    func testMatmulAgainstNaive() {
        var rng = TestRNG(5)
        for (m, k, n) in [(1, 1, 1), (3, 4, 5), (17, 33, 9), (64, 16, 1), (2, 100, 3)] {
            let a = randomTensor([m, k], &rng), b = randomTensor([k, n], &rng)
            let av = a.toArray(), bv = b.toArray()
            var ref = [Float](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(av[i * k + p]) * Double(bv[p * n + j]) }
                ref[i * n + j] = Float(s)
            } }
            let y = a.matmul(b)
            XCTAssertEqual(y.shape, [m, n])
            assertClose(y.toArray(), ref, atol: 1e-5, rtol: 1e-5, "matmul \(m)x\(k)x\(n)")
        }
    }

    func testSoftmax() {
        var rng = TestRNG(6)
        let x = randomTensor([7, 16], &rng, lo: -10, hi: 10)
        let y = x.softmax(), v = y.toArray(), xv = x.toArray()
        for r in 0..<7 {
            let row = v[r * 16..<(r + 1) * 16]
            XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5)
            XCTAssertTrue(row.allSatisfy { $0 > 0 })
            let xr = xv[r * 16..<(r + 1) * 16]
            XCTAssertEqual(row.firstIndex(of: row.max()!)! - r * 16, xr.firstIndex(of: xr.max()!)! - r * 16)
            let z = xr.map { exp(Double($0)) }.reduce(0, +)
            for j in 0..<16 { XCTAssertEqual(Double(v[r * 16 + j]), exp(Double(xv[r * 16 + j])) / z, accuracy: 1e-6) }
        }
        // Large logits do not overflow.
        let big = Tensor(shape: [1, 3], values: [1000, 1001, 999]).softmax().toArray()
        XCTAssertTrue(big.allSatisfy { $0.isFinite })
        XCTAssertEqual(Double(big.reduce(0, +)), 1, accuracy: 1e-6)
        XCTAssertGreaterThan(big[1], big[0])
    }

    func testElementwiseValues() {
        let a = Tensor(shape: [4], values: [-2, -0.5, 0, 3]), b = Tensor(shape: [4], values: [1, 2, 3, 4])
        XCTAssertEqual(a.adding(b).toArray(), [-1, 1.5, 3, 7])
        XCTAssertEqual(a.subtracting(b).toArray(), [-3, -2.5, -3, -1])
        XCTAssertEqual(a.multiplying(b).toArray(), [-2, -1, 0, 12])
        XCTAssertEqual(a.scaled(2).toArray(), [-4, -1, 0, 6])
        assertClose(a.silu().toArray(), [-2, -0.5, 0, 3].map(silu), atol: 1e-6, rtol: 1e-5, "silu")
        assertClose(a.sigmoid().toArray(), [-2, -0.5, 0, 3].map { 1 / (1 + exp(-$0)) }, atol: 1e-6, rtol: 1e-5, "sigmoid")
        XCTAssertEqual(a.sum().toArray(), [0.5])
        XCTAssertEqual(a.sum().shape, [])
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        assertClose(x.channelAffine(scale: [2, -1], shift: [0.5, 1]).toArray(), [2.5, -1, 6.5, -3], atol: 0, "affine")
        assertClose(x.channelAffine(scale: [2, -1], shift: [0.5, 1], silu: true).toArray(),
                    [2.5, -1, 6.5, -3].map(silu), atol: 1e-6, rtol: 1e-5, "affine+silu")
    }
}
