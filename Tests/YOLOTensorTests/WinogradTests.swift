import XCTest
import YOLOTensor
import YOLOTestSupport

/// The Winograd F(4×4, 3×3) convolution (`ConvWinograd`) against the direct convolution of `NaiveConv`, with the
/// blocked policy forced on so that it runs on every CPU with AVX2.
///
/// Tolerance: Winograd rounds its input, weight and output transforms in float32, so results differ from a direct
/// convolution by ~1e-5 of the partial sums' magnitude (measured over yolov8n-pose's geometries with inputs in ±1 and
/// weights in ±0.2: at most 1.6e-4 for 2304-term sums reaching 13, 5e-5 for 576 terms). The cases here have at most
/// 648 terms: atol 1e-4 + rtol 1e-4.
final class WinogradTests: ConvSettingsTestCase {
    private struct Case {
        var name: String
        var input: [Int], weight: [Int]
        var blockedSource = false, blockedOutput = true, residual = false
    }

    private func run(_ c: Case, seed: UInt64, expectWinograd: Bool) {
        var rng = TestRNG(seed)
        let x = randomTensor(c.input, &rng)
        let w = randomTensor(c.weight, &rng, lo: -0.2, hi: 0.2)
        let b = randomTensor([c.weight[0]], &rng)
        let ref = NaiveConv(stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1).forward(x: x, w: w, bias: b)
        let res = c.residual ? randomTensor(ref.shape, &rng) : nil
        var want = ref.values.map { $0 / (1 + exp(-$0)) }
        if let res { want = zip(want, res.toArray()).map { $0 + $1 } }
        let cache = ConvCache()
        let y = withNoGrad {
            Tensor.conv2d(c.blockedSource ? x.toBlocked() : x, weight: w, bias: b, padding: (1, 1), silu: true,
                          residual: res, blockedOutput: c.blockedOutput, cache: cache)
        }
        let kernel = cache.primitives.first
        XCTAssertEqual(kernel?.isWinograd, expectWinograd, "\(c.name): \(kernel?.implementation ?? "no primitive")")
        XCTAssertEqual(y.layout, c.blockedOutput ? .nChw8c : .nhwc, c.name)
        XCTAssertEqual(y.shape, ref.shape, c.name)
        assertClose(y.toArray(), want, atol: 1e-4, rtol: 1e-4, c.name)
    }

    private let cases: [Case] = [
        // Channel counts that are not multiples of 8 exercise the padded blocks; sizes that are not multiples of 4
        // the partial tiles at the right and bottom edges.
        Case(name: "64→51 9x7, NHWC source", input: [1, 9, 7, 64], weight: [51, 64, 3, 3]),
        Case(name: "72→16 6x5 batch 2, NHWC result", input: [2, 6, 5, 72], weight: [16, 72, 3, 3], blockedOutput: false),
        Case(name: "16→16 13x21, blocked source and residual", input: [1, 13, 21, 16], weight: [16, 16, 3, 3],
             blockedSource: true, residual: true),
        Case(name: "24→8 5x4, residual", input: [1, 5, 4, 24], weight: [8, 24, 3, 3], residual: true),
        Case(name: "8→24 1x1 image", input: [1, 1, 1, 8], weight: [24, 8, 3, 3], blockedSource: true),
        Case(name: "32→40 17x9 batch 3 (several chunks per thread)", input: [3, 17, 9, 32], weight: [40, 32, 3, 3]),
        // Input channels past a multiple of 8: their transformed weights are written as zeros (fresh buffers are not).
        Case(name: "13→16 7x9, padded input channels", input: [1, 7, 9, 13], weight: [16, 13, 3, 3]),
        Case(name: "51→51 10x10, the head's keypoint geometry", input: [1, 10, 10, 51], weight: [51, 51, 3, 3],
             residual: true),
        // 25 tiles: chunks of 6 leave a thread idle, so the output block pairs are split over the threads as well.
        Case(name: "64→64 20x20, output blocks split across threads", input: [1, 20, 20, 64], weight: [64, 64, 3, 3],
             blockedSource: true, residual: true),
    ]

    func testWinogradMatchesDirectConvolution() {
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1200 + k), expectWinograd: true) }
    }

    /// Both GEMM kernels: two output blocks at a time, and four (AVX-512VL, the default where the CPU has it). The
    /// cases with 5-8 output blocks take four blocks, then the rest two or one at a time.
    func testTwoAndFourBlockKernels() throws {
        ConvWinograd.usesWideKernels = false
        XCTAssertFalse(ConvWinograd.usesWideKernels)
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1200 + k), expectWinograd: true) }
        try XCTSkipUnless(ConvWinograd.wideKernelsSupported, "no AVX-512VL: only the two-block kernel runs here")
        ConvWinograd.usesWideKernels = true
        XCTAssertTrue(ConvWinograd.usesWideKernels)
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1200 + k), expectWinograd: true) }
    }

    /// Off, the same convolutions run on oneDNN's blocked kernels with the same results.
    func testDisabledUsesOneDNN() {
        ConvWinograd.isEnabled = false
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1200 + k), expectWinograd: false) }
    }

    /// Convolutions of one layer at different input shapes share the transformed weights; new weights (an in-place
    /// change) reach every shape, the shared buffer copied first.
    func testShapesShareWeightsUntilTheyChange() {
        var rng = TestRNG(1360)
        let w = randomTensor([16, 24, 3, 3], &rng, lo: -0.2, hi: 0.2)
        let cache = ConvCache()
        let inputs = [randomTensor([1, 12, 12, 24], &rng), randomTensor([1, 8, 20, 24], &rng)]
        func check(_ label: String) {
            for x in inputs {
                let ref = NaiveConv(stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1).forward(x: x, w: w, bias: nil)
                let y = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), blockedOutput: true, cache: cache) }
                assertClose(y.toArray(), ref.values, atol: 1e-4, rtol: 1e-4, "\(label) \(x.shape)")
            }
        }
        check("shared")
        XCTAssertEqual(cache.primitives.filter(\.isWinograd).count, 2)
        for i in 0..<w.count { w.pointer[i] = -w.pointer[i] * 0.5 }
        w.markModified()
        check("after an in-place change")
        // Only the second shape again: it must not see the first one's stale buffer.
        for i in 0..<w.count { w.pointer[i] += 0.01 }
        w.markModified()
        let x = inputs[1]
        let ref = NaiveConv(stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1).forward(x: x, w: w, bias: nil)
        let y = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), blockedOutput: true, cache: cache) }
        assertClose(y.toArray(), ref.values, atol: 1e-4, rtol: 1e-4, "second shape only")
        check("both again")
    }

    /// Below `ConvWinograd.minimumTiles` (default 9, batch included) a convolution runs on oneDNN's blocked kernels.
    func testFewTilesRunDirect() {
        ConvWinograd.minimumTiles = 9
        var rng = TestRNG(1350)
        let w = randomTensor([16, 16, 3, 3], &rng, lo: -0.2, hi: 0.2)
        for (shape, expect) in [([1, 8, 8, 16], false), ([1, 12, 12, 16], true), ([3, 8, 8, 16], true),
                                ([1, 9, 5, 16], false)] {
            let cache = ConvCache()
            _ = withNoGrad {
                Tensor.conv2d(randomTensor(shape, &rng), weight: w, padding: (1, 1), blockedOutput: true, cache: cache)
            }
            XCTAssertEqual(cache.primitives.first?.isWinograd, expect, "\(shape): \(cache.primitives.map(\.implementation))")
        }
    }

    /// Strided, 1×1, grouped and training convolutions are not Winograd's.
    func testOnlyThreeByThreeStrideOneInference() {
        var rng = TestRNG(1300)
        let x = randomTensor([1, 8, 8, 64], &rng)
        let w3 = randomTensor([64, 64, 3, 3], &rng, lo: -0.2, hi: 0.2, grad: true)
        let w1 = randomTensor([64, 64, 1, 1], &rng, lo: -0.2, hi: 0.2)
        let wg = randomTensor([64, 32, 3, 3], &rng, lo: -0.2, hi: 0.2)
        let cache = ConvCache()
        withNoGrad {
            _ = Tensor.conv2d(x, weight: w3, stride: (2, 2), padding: (1, 1), blockedOutput: true, cache: cache)
            _ = Tensor.conv2d(x, weight: w1, blockedOutput: true, cache: cache)
            _ = Tensor.conv2d(x, weight: wg, padding: (1, 1), groups: 2, blockedOutput: true, cache: cache)
        }
        _ = Tensor.conv2d(x, weight: w3, padding: (1, 1), cache: cache)
        XCTAssertEqual(cache.primitives.count, 4)
        XCTAssertEqual(cache.primitives.filter(\.isWinograd).count, 0, "\(cache.primitives.map(\.implementation))")
    }
}
