import XCTest
import YOLOTensor
import YOLOTestSupport

/// Convolutions that run on oneDNN's blocked nChw8c layout (`ConvLayoutPolicy`) against the direct convolution of
/// `NaiveConv`, on every CPU: the policy is forced to `.blocked` here, so the path is checked also where the
/// default keeps NHWC (AVX-512). Winograd, which takes the 3×3 stride-1 ones by default, is off here: it has its own
/// tests (`WinogradTests`) with the tolerance its rounding needs.
final class ConvLayoutTests: ConvSettingsTestCase {
    override var testWinograd: Bool { false }

    func testBlockedConvolutionsMatchDirectConvolution() {
        // (name, NHWC input, OIHW weight, stride, padding, eligible): output and input channels that are not
        // multiples of 8 exercise the padded blocks.
        let cases: [(String, [Int], [Int], Int, Int, Bool)] = [
            ("64→51 3x3", [1, 9, 7, 64], [51, 64, 3, 3], 1, 1, true),
            ("72→16 3x3 batch 2", [2, 6, 5, 72], [16, 72, 3, 3], 1, 1, true),
            ("36→20 3x3 s2", [1, 11, 9, 36], [20, 36, 3, 3], 2, 1, true),
            ("36→20 3x3 s1 stays NHWC", [1, 11, 9, 36], [20, 36, 3, 3], 1, 1, false),
            ("64→64 1x1 stays NHWC", [1, 5, 5, 64], [64, 64, 1, 1], 1, 0, false),
        ]
        for (k, (name, xs, ws, s, p, eligible)) in cases.enumerated() {
            var rng = TestRNG(UInt64(900 + k))
            let x = randomTensor(xs, &rng)
            let w = randomTensor(ws, &rng, lo: -0.2, hi: 0.2)
            let b = randomTensor([ws[0]], &rng)
            let ref = NaiveConv(stride: (s, s), padding: (p, p), dilation: (1, 1), groups: 1).forward(x: x, w: w, bias: b)
            for silu in [false, true] {
                let cache = ConvCache()
                let y = withNoGrad {
                    Tensor.conv2d(x, weight: w, bias: b, stride: (s, s), padding: (p, p), silu: silu, cache: cache)
                }
                let kernel = cache.primitives.first
                XCTAssertEqual(kernel?.isBlocked, eligible, "\(name): \(kernel?.implementation ?? "no primitive")")
                XCTAssertFalse(kernel?.implementation.hasPrefix("ref") ?? true, name)
                if eligible { XCTAssertTrue(kernel?.implementation.hasSuffix("(nChw8c)") ?? false, name) }
                XCTAssertEqual(y.shape, ref.shape, name)
                let want = silu ? ref.values.map { $0 / (1 + exp(-$0)) } : ref.values
                assertClose(y.toArray(), want, atol: 1e-5, rtol: 1e-4, "\(name)\(silu ? " + silu" : "")")
            }
        }
    }

    /// Residual and training convolutions keep NHWC whatever the policy: the residual would need a third reorder,
    /// and the backward primitives are NHWC.
    func testResidualAndTrainingStayNHWC() {
        var rng = TestRNG(950)
        let x = randomTensor([1, 6, 6, 64], &rng)
        let w = randomTensor([64, 64, 3, 3], &rng, lo: -0.2, hi: 0.2, grad: true)
        let res = randomTensor([1, 6, 6, 64], &rng)
        let cache = ConvCache()
        _ = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), residual: res, cache: cache) }
        _ = Tensor.conv2d(x, weight: w, padding: (1, 1), cache: cache)
        XCTAssertEqual(cache.primitives.count, 2)
        XCTAssertEqual(cache.primitives.filter(\.isBlocked).count, 0)
    }

    func testPolicyNHWCTurnsItOff() {
        ConvLayoutPolicy.current = .nhwc
        var rng = TestRNG(960)
        let x = randomTensor([1, 6, 6, 64], &rng)
        let w = randomTensor([64, 64, 3, 3], &rng)
        let cache = ConvCache()
        _ = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), cache: cache) }
        XCTAssertEqual(cache.primitives.map(\.isBlocked), [false])
    }
}
