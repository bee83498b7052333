import XCTest
import YOLOTensor
import YOLOTestSupport

/// The fused BatchNorm+SiLU training op and the release of the graph after backward (the training memory footprint:
/// a graph kept alive by a rule that captured its own output leaked one iteration of activations per step).
final class AutogradMemoryTests: XCTestCase {
    func testBatchNormSiLUGradients() {
        var rng = TestRNG(21)
        let x = randomTensor([2, 3, 3, 4], &rng, lo: -2, hi: 2)
        let w = randomTensor([4], &rng, lo: 0.5, hi: 1.5), b = randomTensor([4], &rng)
        checkGradients("batchnorm_silu", [x, w, b], h: 1e-3, rtol: 2e-2, atol: 2e-3) { t in
            Tensor.batchNormSiLUTraining(t[0], weight: t[1], bias: t[2], eps: 1e-3) { _, _, _ in }
        }
    }

    /// Values and gradients equal batch norm followed by SiLU bit for bit, over enough rows for several blocks
    /// and both threads.
    func testBatchNormSiLUEqualsSeparateOps() {
        var rng = TestRNG(22)
        let shape = [2, 37, 41, 24]
        let x0 = randomTensor(shape, &rng, lo: -3, hi: 4)
        let w = randomTensor([24], &rng, lo: 0.2, hi: 2), b = randomTensor([24], &rng)
        let g = randomTensor(shape, &rng)
        func run(fused: Bool) -> (y: [Float], dx: [Float], dw: [Float], db: [Float], stats: [Float]) {
            let x = x0.copy(), wt = w.copy(), bt = b.copy()
            for t in [x, wt, bt] { t.requiresGrad = true }
            var stats: [Float] = []
            let update: ([Float], [Float], Int) -> Void = { m, v, _ in stats = m + v }
            let y = fused ? Tensor.batchNormSiLUTraining(x, weight: wt, bias: bt, eps: 1e-3, update: update)
                          : Tensor.batchNormTraining(x, weight: wt, bias: bt, eps: 1e-3, update: update).silu()
            y.backward(g)
            return (y.toArray(), x.grad!.toArray(), wt.grad!.toArray(), bt.grad!.toArray(), stats)
        }
        let a = run(fused: true), r = run(fused: false)
        XCTAssertEqual(a.stats, r.stats)
        XCTAssertEqual(a.y, r.y)
        XCTAssertEqual(a.dx, r.dx)
        XCTAssertEqual(a.dw, r.dw)
        XCTAssertEqual(a.db, r.db)
    }

    /// After backward the intermediate tensors are freed, even those whose rule captured its output (sigmoid);
    /// `retainGraph` keeps them for a second backward, which accumulates.
    func testGraphIsReleasedAfterBackward() {
        var rng = TestRNG(23)
        let x = randomTensor([3, 5], &rng, grad: true)
        weak var inner: Tensor?
        do {
            let s = x.sigmoid()
            inner = s
            let loss = s.silu().sum()
            loss.backward()
        }
        XCTAssertNil(inner, "the graph outlived backward")
        let once = x.grad!.toArray()

        x.grad = nil
        let loss = x.sigmoid().silu().sum()
        loss.backward(retainGraph: true)
        loss.backward()
        for (twice, single) in zip(x.grad!.toArray(), once) { XCTAssertEqual(twice, 2 * single, accuracy: 1e-6) }
    }

    /// An intermediate whose values no rule needs (scale and add keep none) is freed while the graph still lives;
    /// gradients flow through its node all the same.
    func testUnsavedIntermediateFreedBeforeBackward() {
        var rng = TestRNG(24)
        let x = randomTensor([4, 6], &rng, grad: true)
        weak var mid: Tensor?
        let y: Tensor
        do {
            let a = x.scaled(2)
            mid = a
            y = a.adding(x)
        }
        XCTAssertNil(mid, "an activation nothing saved outlived the forward pass")
        y.sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [Float](repeating: 3, count: 24))
    }
}
