import XCTest
import YOLOTensor
import YOLOTestSupport

/// The 1×1 kernel of the blocked chain (`ConvKernel.isConv1x1`) against the direct convolution of `NaiveConv`, with the
/// blocked policy forced on so that it runs on every CPU with AVX2. It sums the same products as a direct convolution
/// in float32 (one input channel at a time, in order), so it is held to `ConvLayoutTests`' tolerance: atol 1e-5 +
/// rtol 1e-5 for sums of at most 96 products of magnitude ≤ 0.2.
final class Conv1x1Tests: ConvSettingsTestCase {
    private struct Case {
        var name: String
        var input: [Int], weight: [Int]
        var blockedSource = true, residual = false, silu = true
    }

    private let cases: [Case] = [
        // Channels that are not multiples of 8 exercise the padded blocks; pixel counts that are not multiples of 6
        // the zero-padded last group; more than 96 pixels several chunks per image.
        Case(name: "12→51 7x5", input: [1, 7, 5, 12], weight: [51, 12, 1, 1]),
        Case(name: "32→32 13x11 batch 2, NHWC source", input: [2, 13, 11, 32], weight: [32, 32, 1, 1], blockedSource: false),
        Case(name: "96→40 3x2, residual, no SiLU", input: [1, 3, 2, 96], weight: [40, 96, 1, 1], residual: true, silu: false),
        Case(name: "8→8 1x1 image", input: [1, 1, 1, 8], weight: [8, 8, 1, 1]),
        Case(name: "24→16 17x9 batch 3", input: [3, 17, 9, 24], weight: [16, 24, 1, 1], residual: true),
        // 34 pixel chunks: no output block split, so the four-block kernel takes blocks 0-3 and 4-7, two the last.
        Case(name: "40→80 64x50, residual", input: [1, 64, 50, 40], weight: [80, 40, 1, 1], residual: true),
    ]

    private func run(_ c: Case, seed: UInt64) {
        var rng = TestRNG(seed)
        let x = randomTensor(c.input, &rng)
        let w = randomTensor(c.weight, &rng, lo: -0.2, hi: 0.2)
        let b = randomTensor([c.weight[0]], &rng)
        let ref = NaiveConv().forward(x: x, w: w, bias: b)
        let res = c.residual ? randomTensor(ref.shape, &rng) : nil
        var want = c.silu ? ref.values.map { $0 / (1 + exp(-$0)) } : ref.values
        if let res { want = zip(want, res.toArray()).map { $0 + $1 } }
        let cache = ConvCache()
        let y = withNoGrad {
            Tensor.conv2d(c.blockedSource ? x.toBlocked() : x, weight: w, bias: b, silu: c.silu,
                          residual: res.map { $0.toBlocked() }, blockedOutput: true, cache: cache)
        }
        let kernel = cache.primitives.first
        XCTAssertEqual(kernel?.isConv1x1, true, "\(c.name): \(kernel?.implementation ?? "no primitive")")
        XCTAssertEqual(y.layout, .nChw8c, c.name)
        if y.layout == .nChw8c, c.weight[0] % 8 != 0 {
            // Padding lanes of the last block are written as zeros.
            let blocks = y.channelBlocks, hw = ref.shape[1] * ref.shape[2]
            let last = y.blockedPointer + (blocks - 1) * hw * 8
            XCTAssertTrue((0..<hw).allSatisfy { i in ((c.weight[0] % 8)..<8).allSatisfy { last[i * 8 + $0] == 0 } }, c.name)
        }
        XCTAssertEqual(y.shape, ref.shape, c.name)
        assertClose(y.toArray(), want, atol: 1e-5, rtol: 1e-5, c.name)
    }

    func testConv1x1MatchesDirectConvolution() {
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1800 + k)) }
    }

    /// The two-block kernel, and the four-block one where the CPU has AVX-512VL (the default there).
    func testTwoAndFourBlockKernels() throws {
        ConvWinograd.usesWideKernels = false
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1900 + k)) }
        try XCTSkipUnless(ConvWinograd.wideKernelsSupported, "no AVX-512VL: only the two-block kernel runs here")
        ConvWinograd.usesWideKernels = true
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1900 + k)) }
    }

    /// A new input shape reuses the weights of a sibling (copied, not rearranged again) with the same results.
    func testNewShapeCopiesWeights() {
        var rng = TestRNG(1900)
        let w = randomTensor([24, 16, 1, 1], &rng, lo: -0.2, hi: 0.2)
        let cache = ConvCache()
        for shape in [[1, 6, 6, 16], [1, 10, 4, 16]] {
            let x = randomTensor(shape, &rng)
            let ref = NaiveConv().forward(x: x, w: w, bias: nil)
            let y = withNoGrad { Tensor.conv2d(x.toBlocked(), weight: w, blockedOutput: true, cache: cache) }
            assertClose(y.toArray(), ref.values, atol: 1e-5, rtol: 1e-5, "\(shape)")
        }
        XCTAssertEqual(cache.primitives.filter(\.isConv1x1).count, 2)
    }

    /// Off with Winograd (`ConvWinograd.isEnabled`), and never for strided, padded, grouped or NHWC-result 1×1s.
    func testOnlyBlockedChainInference() {
        var rng = TestRNG(1950)
        let x = randomTensor([1, 8, 8, 16], &rng)
        let w = randomTensor([16, 16, 1, 1], &rng, lo: -0.2, hi: 0.2)
        let cache = ConvCache()
        withNoGrad {
            _ = Tensor.conv2d(x, weight: w, stride: (2, 2), blockedOutput: true, cache: cache)
            _ = Tensor.conv2d(x, weight: w, blockedOutput: false, cache: cache)
            ConvWinograd.isEnabled = false
            _ = Tensor.conv2d(x.toBlocked(), weight: w, blockedOutput: true, cache: cache)
        }
        XCTAssertEqual(cache.primitives.count, 3)
        XCTAssertEqual(cache.primitives.filter(\.isConv1x1).count, 0, "\(cache.primitives.map(\.implementation))")
    }
}
