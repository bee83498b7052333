import XCTest
import YOLOTensor
import YOLOTestSupport

/// bf16 activations (`TensorLayout.bf16`): the conversions against an independent statement of the rounding rule, and
/// the ops that move bf16 values (concat, slice, upsample) against the same ops on float32 copies of the rounded values
/// (exact: they only copy). These run on every CPU (no bf16 arithmetic).
final class BF16LayoutTests: XCTestCase {
    func testConversionRoundsToNearestEvenAndKeepsSpecials() {
        let one = Float(1), ulp = Float(1) / 128  // bf16 spacing at 1
        var values: [Float] = [0, -0.0, 1, -2.5, .infinity, -.infinity, .nan, .greatestFiniteMagnitude,
                               Float.leastNormalMagnitude, Float.leastNonzeroMagnitude, 3.14159265, -1e-20, 65504,
                               one + ulp / 2,          // halfway, even neighbour below: 1
                               one + ulp * 1.5,        // halfway, even neighbour above: 1 + 2 ulp
                               one + ulp / 2 + 1e-7]   // just above halfway: 1 + ulp
        var rng = TestRNG(20)
        values += rng.floats(4000, -50, 50)
        // Enough values for the threaded path (≥ 2^17) with a tail that is not a multiple of 64.
        values += rng.floats((1 << 17) + 37, -3, 3)
        let x = Tensor(shape: [values.count], values: values)
        let b = x.toBF16()
        XCTAssertEqual(b.layout, .bf16)
        XCTAssertEqual(b.storage.count, (values.count + 1) / 2)
        let got = b.toArray()
        XCTAssertEqual(b.layout, .nhwc, "pointer converts in place")
        for (i, (g, v)) in zip(got, values).enumerated() {
            let want = bf16Rounded(v)
            if v.isNaN { XCTAssertTrue(g.isNaN, "value \(i) NaN") } else {
                XCTAssertEqual(g.bitPattern, want.bitPattern, "value \(i): \(v) → \(g), want \(want)")
            }
        }
        XCTAssertEqual(got[13], 1)
        XCTAssertEqual(got[14], one + 2 * ulp)
        XCTAssertEqual(got[15], one + ulp)
    }

    private func rounded(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, values: t.toArray().map(bf16Rounded)) }

    func testConcatSliceUpsampleMoveBF16Values() {
        var rng = TestRNG(21)
        let a = randomTensor([2, 5, 3, 16], &rng), b = randomTensor([2, 5, 3, 6], &rng)
        withNoGrad {
            // A float32 part is rounded into the bf16 result.
            let y = Tensor.concatChannels([a.toBF16(), b])
            XCTAssertEqual(y.layout, .bf16)
            let want = Tensor.concatChannels([rounded(a), rounded(b)])
            let s = y.sliceChannels(4, 14)
            XCTAssertEqual(s.layout, .bf16)
            XCTAssertEqual(s.toArray(), want.sliceChannels(4, 14).toArray())
            let u = Tensor.concatChannels([a.toBF16(), b]).upsampleNearest(2)
            XCTAssertEqual(u.layout, .bf16)
            XCTAssertEqual(u.toArray(), want.upsampleNearest(2).toArray())
            XCTAssertEqual(y.toArray(), want.toArray())
        }
    }

    /// Odd widths cannot move as float pairs: the ops then work on float32 (converted) and stay exact.
    func testOddChannelsFallBackToFloat32() {
        var rng = TestRNG(22)
        let a = randomTensor([1, 4, 4, 8], &rng), b = randomTensor([1, 4, 4, 5], &rng)
        withNoGrad {
            let y = Tensor.concatChannels([a.toBF16(), b.toBF16()])
            XCTAssertEqual(y.toArray(), Tensor.concatChannels([rounded(a), rounded(b)]).toArray())
            let s = Tensor.concatChannels([a, b]).toBF16().sliceChannels(3, 6)
            XCTAssertEqual(s.toArray(), rounded(Tensor.concatChannels([a, b])).sliceChannels(3, 6).toArray())
            XCTAssertEqual(b.toBF16().upsampleNearest(3).toArray(), rounded(b).upsampleNearest(3).toArray())
            XCTAssertEqual(b.toBF16().maxPool2d(kernel: 3, stride: 1, padding: 1).toArray(),
                           rounded(b).maxPool2d(kernel: 3, stride: 1, padding: 1).toArray())
        }
    }
}
