import XCTest
@testable import YOLOModel
import YOLONN
import YOLOTensor

/// C2f and SPPF on one blocked image write their parts into windows of the concatenation their last convolution
/// reads (`forwardInPlace`); a batch takes the copying path. Both must agree: each image of a batch of two against the
/// same image alone, within 1e-5 (the kernels compute an image the same way in a batch up to float32 summation order).
final class InPlaceConcatTests: XCTestCase {
    private var savedPolicy = ConvLayoutPolicy.automatic

    override func setUp() {
        super.setUp()
        savedPolicy = ConvLayoutPolicy.current
        ConvLayoutPolicy.current = .blocked
    }

    override func tearDown() {
        ConvLayoutPolicy.current = savedPolicy
        super.tearDown()
    }

    /// Values in [-1, 1) from a fixed linear congruential sequence.
    private func image(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 23) - 1
        }
        return Tensor(shape: shape, values: values)
    }

    /// Random convolution weights (layers start at zero), batch norms folded as for inference.
    private func fused<Block: Module>(_ block: Block) -> Block {
        var seed: UInt64 = 10
        for case let (_, conv as Conv2d) in block.namedModules() {
            seed += 1
            let w = image(conv.weight.shape, seed: seed)
            conv.weight.assign(Tensor(shape: w.shape, values: w.toArray().map { $0 * 0.3 }))
        }
        for case let (_, conv as ConvBlock) in block.namedModules() { conv.fuse() }
        return block
    }

    /// `inPlace` on image a alone against `forward` on the batch (a, b).
    private func compare(_ label: String, _ block: any GraphLayer, channels: Int,
                         inPlace: (Tensor) -> Tensor?) throws {
        let a = image([1, 11, 13, channels], seed: 1), b = image([1, 11, 13, channels], seed: 2)
        let batch = Tensor(shape: [2, 11, 13, channels], values: a.toArray() + b.toArray())
        try withNoGrad {
            let viaWindows = try XCTUnwrap(inPlace(a.toBlocked()), "\(label): batch 1, blocked: in place")
            XCTAssertEqual(viaWindows.layout, .nChw8c, label)
            XCTAssertNil(inPlace(batch.toBlocked()), "\(label): a batch copies")
            let copied = block.forward([batch.toBlocked()]).toArray()
            let one = viaWindows.toArray()
            XCTAssertEqual(one.count * 2, copied.count, label)
            let worst = zip(one, copied.prefix(one.count)).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, "\(label): largest difference \(worst)")
            // A second call reuses nothing it should not: same result.
            XCTAssertTrue(block.forward([a.toBlocked()]).toArray() == one, "\(label): a second call differs")
        }
    }

    func testC2fMatchesTheCopyingPath() throws {
        for (shortcut, n) in [(true, 2), (false, 1)] {
            let block = fused(C2f(24, 32, n: n, shortcut: shortcut))
            try compare("C2f shortcut \(shortcut), n \(n)", block, channels: 24) { block.forwardInPlace($0) }
        }
    }

    func testSPPFMatchesTheCopyingPath() throws {
        let block = fused(SPPF(32, 24))
        try compare("SPPF", block, channels: 32) { block.forwardInPlace($0) }
    }

    /// Under autograd, NHWC policy or a hidden width that is not whole blocks of 8, the block copies instead.
    func testFallsBackWhereWindowsDoNotApply() {
        let block = fused(C2f(24, 32, n: 1))
        let x = image([1, 8, 8, 24], seed: 3)
        XCTAssertNil(block.forwardInPlace(x.toBlocked()), "autograd on: parameters require gradients")
        withNoGrad {
            XCTAssertNil(fused(C2f(24, 20, n: 1)).forwardInPlace(x.toBlocked()), "hidden 10")
            XCTAssertNil(fused(SPPF(24, 16)).forwardInPlace(x.toBlocked()), "SPPF hidden 12")
            ConvLayoutPolicy.current = .nhwc
            XCTAssertNil(block.forwardInPlace(x), "NHWC chain")
        }
    }
}
