import XCTest
import YOLOTensor

/// `blockedChannelWindow`: block ranges of a blocked image as tensors over the same memory, and `conv2d(into:)`
/// writing through them.
final class ChannelWindowTests: ConvSettingsTestCase {
    func testWindowsShareMemoryAndHoldTheChannels() {
        var rng = TestRNG(77)
        let x = randomTensor([1, 5, 7, 20], &rng), xv = x.toArray()
        withNoGrad {
            let b = x.toBlocked()
            let w = try! XCTUnwrap(b.blockedChannelWindow(8, 12), "blocks 1-2, ending at the last channel")
            XCTAssertEqual(w.shape, [1, 5, 7, 12])
            XCTAssertEqual(w.blockedPointer, b.blockedPointer + 5 * 7 * 8, "no copy: the second block's plane")
            let want = (0..<35).flatMap { p in (8..<20).map { xv[p * 20 + $0] } }
            XCTAssertEqual(w.toArray(), want)  // (reading it as NHWC gives the window a buffer of its own)
            // A slice of one image is a window; of a batch a copy.
            XCTAssertEqual(b.sliceChannels(8, 8).blockedPointer, b.blockedPointer + 5 * 7 * 8)
            let batch = Tensor(shape: [2, 5, 7, 20], values: xv + xv).toBlocked()
            XCTAssertNil(batch.blockedChannelWindow(0, 8), "batch 2")
            XCTAssertNotEqual(batch.sliceChannels(8, 8).blockedPointer, batch.blockedPointer + 5 * 7 * 8)
            XCTAssertNil(b.blockedChannelWindow(4, 8), "not on a block")
            XCTAssertNil(b.blockedChannelWindow(0, 12), "partial block inside the tensor")
            XCTAssertNil(x.blockedChannelWindow(0, 8), "NHWC")
            XCTAssertEqual(b.toArray(), xv, "the image is unchanged")
        }
    }

    /// A convolution into a window fills exactly that window: the same values as without a destination, the
    /// neighbouring channels untouched; into an NHWC destination it copies.
    func testConvolutionIntoAWindow() {
        var rng = TestRNG(78)
        let x = randomTensor([1, 6, 6, 16], &rng)
        let w = randomTensor([16, 16, 3, 3], &rng, lo: -0.2, hi: 0.2)
        withNoGrad {
            let cache = ConvCache()
            let plain = Tensor.conv2d(x.toBlocked(), weight: w, padding: (1, 1), silu: true, blockedOutput: true, cache: cache)
            let cat = Tensor(shape: [1, 6, 6, 32], repeating: 7).toBlocked()
            let window = cat.blockedChannelWindow(16, 16)!
            let y = Tensor.conv2d(x.toBlocked(), weight: w, padding: (1, 1), silu: true, blockedOutput: true,
                                  into: window, cache: cache)
            XCTAssertTrue(y === window)
            let cv = cat.toArray(), pv = plain.toArray()
            XCTAssertEqual((0..<36).flatMap { p in (16..<32).map { cv[p * 32 + $0] } }, pv)
            XCTAssertTrue((0..<36).allSatisfy { p in (0..<16).allSatisfy { cv[p * 32 + $0] == 7 } })
            let nhwc = Tensor(shape: [1, 6, 6, 16], repeating: 0)
            let z = Tensor.conv2d(x.toBlocked(), weight: w, padding: (1, 1), silu: true, blockedOutput: true,
                                  into: nhwc, cache: cache)
            XCTAssertTrue(z === nhwc)
            XCTAssertEqual(nhwc.layout, .nhwc)
            XCTAssertEqual(nhwc.toArray(), pv)
        }
    }
}
