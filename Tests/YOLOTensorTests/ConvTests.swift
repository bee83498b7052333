import XCTest
import YOLOTensor
import YOLOTestSupport

/// `Tensor.conv2d` (oneDNN) against a direct convolution written here.
final class ConvTests: XCTestCase {
    struct Case {
        var name: String
        var x: [Int]            // NHWC
        var w: [Int]            // OIHW
        var stride = (1, 1), padding = (0, 0), dilation = (1, 1), groups = 1
        var bias = true
    }

    static let cases: [Case] = [
        Case(name: "3x3 s1 p1", x: [2, 7, 6, 5], w: [8, 5, 3, 3], padding: (1, 1)),
        Case(name: "3x3 s1 p1 no bias", x: [1, 6, 6, 4], w: [6, 4, 3, 3], padding: (1, 1), bias: false),
        Case(name: "3x3 s2 p1 even", x: [1, 8, 8, 3], w: [16, 3, 3, 3], stride: (2, 2), padding: (1, 1)),
        Case(name: "3x3 s2 p1 odd", x: [2, 9, 7, 6], w: [8, 6, 3, 3], stride: (2, 2), padding: (1, 1)),
        Case(name: "3x3 s2 p1 odd no bias", x: [1, 11, 5, 8], w: [16, 8, 3, 3], stride: (2, 2), padding: (1, 1), bias: false),
        Case(name: "1x1", x: [2, 5, 4, 16], w: [24, 16, 1, 1]),
        Case(name: "1x1 no bias", x: [1, 3, 3, 7], w: [5, 7, 1, 1], bias: false),
        Case(name: "groups 2", x: [1, 6, 6, 8], w: [12, 4, 3, 3], padding: (1, 1), groups: 2),
        Case(name: "dilation 2", x: [1, 9, 8, 4], w: [8, 4, 3, 3], padding: (2, 2), dilation: (2, 2)),
        Case(name: "dilation 2 no pad", x: [1, 9, 8, 4], w: [8, 4, 3, 3], dilation: (2, 2), bias: false),
        Case(name: "5x3 rect s(2,1) p(2,1)", x: [1, 10, 7, 3], w: [4, 3, 5, 3], stride: (2, 1), padding: (2, 1)),
    ]

    func run(_ c: Case, x: Tensor, w: Tensor, b: Tensor?, silu: Bool = false, residual: Tensor? = nil,
             cache: ConvCache = ConvCache()) -> Tensor {
        Tensor.conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation,
                      groups: c.groups, silu: silu, residual: residual, cache: cache)
    }

    func naive(_ c: Case) -> NaiveConv {
        NaiveConv(stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    }

    func inputs(_ c: Case, seed: UInt64) -> (Tensor, Tensor, Tensor?) {
        var rng = TestRNG(seed)
        let x = randomTensor(c.x, &rng)
        let w = randomTensor(c.w, &rng, lo: -0.5, hi: 0.5)
        let b = c.bias ? randomTensor([c.w[0]], &rng) : nil
        return (x, w, b)
    }

    func testForwardMatchesDirectConvolution() {
        for (k, c) in Self.cases.enumerated() {
            let (x, w, b) = inputs(c, seed: UInt64(k + 1))
            let ref = naive(c).forward(x: x, w: w, bias: b)
            let y = withNoGrad { run(c, x: x, w: w, b: b) }
            XCTAssertEqual(y.shape, ref.shape, c.name)
            assertClose(y.toArray(), ref.values, atol: 1e-5, rtol: 1e-4, c.name)
        }
    }

    func testFusedSiLU() {
        for (k, c) in Self.cases.enumerated() {
            let (x, w, b) = inputs(c, seed: UInt64(100 + k))
            let ref = naive(c).forward(x: x, w: w, bias: b).values.map(silu)
            let y = withNoGrad { run(c, x: x, w: w, b: b, silu: true) }
            assertClose(y.toArray(), ref, atol: 1e-5, rtol: 1e-4, "\(c.name) + silu")
        }
    }

    func testFusedResidualAdd() {
        for (k, c) in Self.cases.enumerated() {
            let (x, w, b) = inputs(c, seed: UInt64(200 + k))
            let ref = naive(c).forward(x: x, w: w, bias: b)
            var rng = TestRNG(UInt64(300 + k))
            let res = randomTensor(ref.shape, &rng)
            let rv = res.toArray()
            let y = withNoGrad { run(c, x: x, w: w, b: b, residual: res) }
            assertClose(y.toArray(), zip(ref.values, rv).map { $0 + $1 }, atol: 1e-5, rtol: 1e-4, "\(c.name) + residual")
            // SiLU first, then the residual (Ultralytics' Bottleneck: x + cv2(cv1(x))).
            let y2 = withNoGrad { run(c, x: x, w: w, b: b, silu: true, residual: res) }
            assertClose(y2.toArray(), zip(ref.values, rv).map { silu($0) + $1 }, atol: 1e-5, rtol: 1e-4,
                        "\(c.name) + silu + residual")
        }
    }

    /// Same cache reused across calls, and weights updated in place (version bump) are picked up.
    func testCacheReuseAndInPlaceWeightUpdate() {
        let c = Self.cases[0]
        let (x, w, b) = inputs(c, seed: 7)
        let cache = ConvCache()
        let y1 = withNoGrad { run(c, x: x, w: w, b: b, cache: cache) }
        let y1b = withNoGrad { run(c, x: x, w: w, b: b, cache: cache) }
        XCTAssertEqual(y1.toArray(), y1b.toArray())
        for i in 0..<w.count { w.pointer[i] *= -2 }
        w.markModified()
        let y2 = withNoGrad { run(c, x: x, w: w, b: b, cache: cache) }
        assertClose(y2.toArray(), naive(c).forward(x: x, w: w, bias: b).values, atol: 1e-5, rtol: 1e-4,
                    "after in-place weight update")
        // A different weight tensor with the same shape through the same cache.
        var rng = TestRNG(8)
        let w2 = randomTensor(c.w, &rng)
        let y3 = withNoGrad { run(c, x: x, w: w2, b: b, cache: cache) }
        assertClose(y3.toArray(), naive(c).forward(x: x, w: w2, bias: b).values, atol: 1e-5, rtol: 1e-4,
                    "other weight tensor through the same cache")
    }

    /// dx, dw, db from oneDNN's backward against the direct convolution's analytic gradient.
    func testBackwardMatchesAnalyticGradient() {
        for (k, c) in Self.cases.enumerated() {
            let (x, w, b) = inputs(c, seed: UInt64(400 + k))
            x.requiresGrad = true; w.requiresGrad = true; b?.requiresGrad = true
            let y = run(c, x: x, w: w, b: b)
            XCTAssertTrue(y.requiresGrad, c.name)
            var rng = TestRNG(UInt64(500 + k))
            let gy = rng.floats(y.count)
            y.backward(Tensor(shape: y.shape, values: gy))
            let ref = naive(c).backward(x: x, w: w, gy: gy)
            assertClose(x.grad?.toArray() ?? [], ref.dx, atol: 1e-4, rtol: 1e-4, "\(c.name) dx")
            assertClose(w.grad?.toArray() ?? [], ref.dw, atol: 1e-4, rtol: 1e-4, "\(c.name) dw")
            if let b { assertClose(b.grad?.toArray() ?? [], ref.db, atol: 1e-4, rtol: 1e-4, "\(c.name) db") }
        }
    }

    /// Only the weight requires grad (first layer of a network): dx is not needed.
    func testBackwardWeightOnly() {
        let c = Self.cases[3]
        let (x, w, b) = inputs(c, seed: 42)
        w.requiresGrad = true; b?.requiresGrad = true
        let y = run(c, x: x, w: w, b: b)
        var rng = TestRNG(43)
        let gy = rng.floats(y.count)
        y.backward(Tensor(shape: y.shape, values: gy))
        let ref = naive(c).backward(x: x, w: w, gy: gy)
        XCTAssertNil(x.grad)
        assertClose(w.grad?.toArray() ?? [], ref.dw, atol: 1e-4, rtol: 1e-4, "dw")
        assertClose(b?.grad?.toArray() ?? [], ref.db, atol: 1e-4, rtol: 1e-4, "db")
    }

    /// Finite differences through the whole conv (+ fused post-ops, which run unfused when recording).
    func testFiniteDifferences() {
        var rng = TestRNG(11)
        let geom = Case(name: "fd", x: [1, 5, 4, 3], w: [4, 3, 3, 3], stride: (2, 2), padding: (1, 1))
        let x = randomTensor(geom.x, &rng), w = randomTensor(geom.w, &rng, lo: -0.5, hi: 0.5)
        let b = randomTensor([4], &rng)
        let cache = ConvCache()
        checkGradients("conv2d", [x, w, b]) { t in self.run(geom, x: t[0], w: t[1], b: t[2], cache: cache) }
        let res = randomTensor([1, 3, 2, 4], &rng)
        checkGradients("conv2d+silu+residual", [x, w, b, res]) { t in
            self.run(geom, x: t[0], w: t[1], b: t[2], silu: true, residual: t[3], cache: cache)
        }
        let g2 = Case(name: "fd groups/dilation", x: [1, 6, 6, 4], w: [4, 2, 3, 3], padding: (2, 2), dilation: (2, 2),
                      groups: 2)
        let x2 = randomTensor(g2.x, &rng), w2 = randomTensor(g2.w, &rng, lo: -0.5, hi: 0.5)
        checkGradients("conv2d groups 2 dilation 2", [x2, w2]) { t in self.run(g2, x: t[0], w: t[1], b: nil) }
    }

    /// Recording mode with fused post-ops gives the same values as inference mode.
    func testRecordingMatchesInference() {
        let c = Self.cases[0]
        let (x, w, b) = inputs(c, seed: 77)
        var rng = TestRNG(78)
        let res = randomTensor(naive(c).forward(x: x, w: w, bias: b).shape, &rng)
        let inference = withNoGrad { run(c, x: x, w: w, b: b, silu: true, residual: res) }
        w.requiresGrad = true
        let training = run(c, x: x, w: w, b: b, silu: true, residual: res)
        XCTAssertTrue(training.requiresGrad)
        assertClose(training.toArray(), inference.toArray(), atol: 1e-5, rtol: 1e-4, "training vs inference")
    }
}
