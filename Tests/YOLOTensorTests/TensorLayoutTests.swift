import XCTest
import YOLOTensor
import YOLOTestSupport

/// Blocked (`nChw8c`) activations: the conversions, and every op with a blocked path (concat, slice, max-pool,
/// upsample, convolution with a blocked result and residual) against the same op on NHWC.
final class TensorLayoutTests: XCTestCase {
    private var saved = ConvLayoutPolicy.current
    override func setUp() { saved = ConvLayoutPolicy.current }
    override func tearDown() { ConvLayoutPolicy.current = saved }

    func testRoundTripPadsAndRestores() {
        var rng = TestRNG(1)
        for c in [3, 8, 13, 51, 64] {
            let x = randomTensor([2, 3, 5, c], &rng)
            let want = x.toArray()
            let b = x.toBlocked()
            XCTAssertEqual(b.layout, .nChw8c)
            XCTAssertEqual(b.storage.count, 2 * 3 * 5 * b.channelBlocks * 8)
            if c % 8 != 0 {
                // The padding lanes of the last block are zero.
                let last = b.storage.pointer + (b.channelBlocks - 1) * 15 * 8
                for i in 0..<15 { for j in (c % 8)..<8 { XCTAssertEqual(last[i * 8 + j], 0) } }
            }
            XCTAssertEqual(b.toArray(), want, "C \(c)")
            XCTAssertEqual(b.layout, .nhwc, "pointer converts in place")
            XCTAssertEqual(b.count, want.count)
        }
    }

    /// Copies of ≥ 512 KB are split between the OpenMP threads (a byte range of every image each).
    func testLargeBlockCopiesMatchNHWC() {
        var rng = TestRNG(3)
        let a = randomTensor([2, 37, 41, 64], &rng), b = randomTensor([2, 37, 41, 21], &rng)
        let want = Tensor.concatChannels([a, b]).toArray()
        withNoGrad {
            let y = Tensor.concatChannels([a.toBlocked(), b.toBlocked()])
            XCTAssertEqual(y.layout, .nChw8c)
            XCTAssertEqual(y.toArray(), want)
            let s = Tensor.concatChannels([a.toBlocked(), b.toBlocked()]).sliceChannels(8, 77)
            XCTAssertEqual(s.toArray(), Tensor.concatChannels([a, b]).sliceChannels(8, 77).toArray())
        }
    }

    func testConcatSliceMatchNHWC() {
        var rng = TestRNG(2)
        let a = randomTensor([2, 4, 3, 16], &rng), b = randomTensor([2, 4, 3, 8], &rng), c = randomTensor([2, 4, 3, 5], &rng)
        let want = Tensor.concatChannels([a, b, c]).toArray()
        withNoGrad {
            let y = Tensor.concatChannels([a.toBlocked(), b, c.toBlocked()])
            XCTAssertEqual(y.layout, .nChw8c)
            XCTAssertEqual(y.toArray(), want)
            let big = Tensor.concatChannels([a.toBlocked(), b.toBlocked(), c.toBlocked()])
            for (start, width) in [(0, 16), (16, 8), (24, 5), (8, 16), (0, 29)] {
                let s = big.sliceChannels(start, width)
                XCTAssertEqual(s.layout, .nChw8c, "[\(start), +\(width))")
                XCTAssertEqual(s.toArray(), Tensor.concatChannels([a, b, c]).sliceChannels(start, width).toArray())
            }
            // Not on a block boundary: NHWC.
            let odd = Tensor.concatChannels([c.toBlocked(), a.toBlocked()])
            XCTAssertEqual(odd.toArray(), Tensor.concatChannels([c, a]).toArray())
            let unaligned = big.sliceChannels(4, 8)
            XCTAssertEqual(unaligned.toArray(), Tensor.concatChannels([a, b, c]).sliceChannels(4, 8).toArray())
        }
    }

    func testPoolAndUpsampleMatchNHWC() {
        var rng = TestRNG(3)
        let x = randomTensor([2, 7, 6, 20], &rng)
        withNoGrad {
            let p = x.toBlocked().maxPool2d(kernel: 5, stride: 1, padding: 2)
            XCTAssertEqual(p.layout, .nChw8c)
            XCTAssertEqual(p.toArray(), x.maxPool2d(kernel: 5, stride: 1, padding: 2).toArray())
            let u = x.toBlocked().upsampleNearest(2)
            XCTAssertEqual(u.layout, .nChw8c)
            XCTAssertEqual(u.toArray(), x.upsampleNearest(2).toArray())
        }
    }

    /// A chain of convolutions with blocked results (and a blocked residual) gives what NHWC gives.
    func testConvolutionChainWithBlockedResults() {
        var rng = TestRNG(4)
        let x = randomTensor([1, 9, 10, 3], &rng)
        let w1 = randomTensor([16, 3, 3, 3], &rng, lo: -0.3, hi: 0.3), b1 = randomTensor([16], &rng)
        let w2 = randomTensor([16, 16, 3, 3], &rng, lo: -0.3, hi: 0.3), b2 = randomTensor([16], &rng)
        let w3 = randomTensor([51, 16, 1, 1], &rng, lo: -0.3, hi: 0.3)
        func chain(_ policy: ConvLayoutPolicy) -> (Tensor, [TensorLayout]) {
            ConvLayoutPolicy.current = policy
            let caches = (0..<4).map { _ in ConvCache() }
            return withNoGrad {
                let a = Tensor.conv2d(x, weight: w1, bias: b1, padding: (1, 1), silu: true, blockedOutput: true, cache: caches[0])
                let la = a.layout
                let b = Tensor.conv2d(a, weight: w2, bias: b2, padding: (1, 1), silu: true, residual: a,
                                      blockedOutput: true, cache: caches[1])
                let lb = b.layout
                // The same tensor as source and residual.
                let bb = Tensor.conv2d(b, weight: w2, bias: b2, padding: (1, 1), silu: true, residual: b,
                                       blockedOutput: true, cache: caches[3])
                let c = Tensor.conv2d(bb, weight: w3, blockedOutput: true, cache: caches[2])
                return (c, [la, lb, bb.layout, c.layout])
            }
        }
        let (ref, refLayouts) = chain(.nhwc)
        XCTAssertEqual(refLayouts, [.nhwc, .nhwc, .nhwc, .nhwc])
        let (y, layouts) = chain(.blocked)
        // The 3-channel image convolution stays NHWC; the others leave nChw8c results (51 channels: padded).
        XCTAssertEqual(layouts, [.nhwc, .nChw8c, .nChw8c, .nChw8c])
        assertClose(y.toArray(), ref.toArray(), atol: 1e-5, rtol: 1e-4, "blocked chain")
    }
}
