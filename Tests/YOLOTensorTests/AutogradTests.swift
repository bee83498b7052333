import XCTest
import YOLOTensor
import YOLOTestSupport

/// Central-difference gradient checks of the autograd tape.
final class AutogradTests: XCTestCase {
    func testAddSubMulScale() {
        var rng = TestRNG(1)
        let a = randomTensor([2, 3, 4], &rng), b = randomTensor([2, 3, 4], &rng)
        checkGradients("add", [a, b]) { $0[0].adding($0[1]) }
        checkGradients("sub", [a, b]) { $0[0].subtracting($0[1]) }
        checkGradients("mul", [a, b]) { $0[0].multiplying($0[1]) }
        checkGradients("scale", [a]) { $0[0].scaled(-2.5) }
    }

    func testSiLUAndSigmoid() {
        var rng = TestRNG(2)
        let x = randomTensor([3, 17], &rng, lo: -6, hi: 6)
        checkGradients("silu", [x]) { $0[0].silu() }
        checkGradients("sigmoid", [x]) { $0[0].sigmoid() }
    }

    func testSum() {
        var rng = TestRNG(3)
        let x = randomTensor([4, 5], &rng)
        checkGradients("sum", [x]) { $0[0].sum() }
        checkGradients("sum of product", [x]) { $0[0].multiplying($0[0]).sum() }
    }

    func testConcatSliceSplit() {
        var rng = TestRNG(4)
        let a = randomTensor([1, 2, 3, 2], &rng), b = randomTensor([1, 2, 3, 5], &rng), c = randomTensor([1, 2, 3, 1], &rng)
        checkGradients("concat", [a, b, c]) { Tensor.concatChannels($0) }
        checkGradients("slice", [b]) { $0[0].sliceChannels(1, 3) }
        checkGradients("concat then slice", [a, b, c]) { Tensor.concatChannels($0).sliceChannels(1, 5).silu() }
        checkGradients("split then recombine", [b]) { t in
            let parts = t[0].splitChannels([2, 3])
            return Tensor.concatChannels([parts[1].sigmoid(), parts[0].scaled(3)])
        }
    }

    func testMaxPool() {
        var rng = TestRNG(5)
        for (k, s, p) in [(5, 1, 2), (2, 2, 0), (3, 2, 1)] {
            let x = Tensor(shape: [1, 7, 6, 3], values: rng.distinct(7 * 6 * 3, gap: 0.01))
            checkGradients("maxpool k\(k) s\(s) p\(p)", [x]) { $0[0].maxPool2d(kernel: k, stride: s, padding: p) }
        }
    }

    func testUpsample() {
        var rng = TestRNG(6)
        let x = randomTensor([2, 3, 2, 3], &rng)
        checkGradients("upsample 2", [x]) { $0[0].upsampleNearest(2) }
        checkGradients("upsample 3", [x]) { $0[0].upsampleNearest(3) }
    }

    func testMatmul() {
        var rng = TestRNG(7)
        let a = randomTensor([4, 6], &rng), b = randomTensor([6, 3], &rng)
        checkGradients("matmul", [a, b]) { $0[0].matmul($0[1]) }
        let sq = randomTensor([5, 5], &rng)
        checkGradients("matmul a·a (one tensor, both operands)", [sq]) { t in t[0].matmul(t[0]) }
    }

    func testSoftmax() {
        var rng = TestRNG(8)
        let x = randomTensor([5, 16], &rng, lo: -3, hi: 3)
        checkGradients("softmax", [x]) { $0[0].softmax() }
    }

    func testBatchNormTraining() {
        var rng = TestRNG(9)
        let x = randomTensor([2, 3, 3, 4], &rng, lo: -2, hi: 2)
        let w = randomTensor([4], &rng, lo: 0.5, hi: 1.5), b = randomTensor([4], &rng)
        checkGradients("batchnorm", [x, w, b], h: 1e-3, rtol: 2e-2, atol: 2e-3) { t in
            Tensor.batchNormTraining(t[0], weight: t[1], bias: t[2], eps: 1e-3) { _, _, _ in }
        }
    }

    func testBatchNormTrainingStatistics() {
        var rng = TestRNG(10)
        let x = randomTensor([2, 4, 5, 3], &rng, lo: -2, hi: 3)
        let w = Tensor(shape: [3], repeating: 1), b = Tensor(shape: [3], repeating: 0)
        var got: ([Float], [Float], Int) = ([], [], 0)
        let y = Tensor.batchNormTraining(x, weight: w, bias: b, eps: 1e-5) { got = ($0, $1, $2) }
        XCTAssertEqual(got.2, 40)
        let xv = x.toArray(), yv = y.toArray()
        for c in 0..<3 {
            let col = stride(from: c, to: xv.count, by: 3).map { Double(xv[$0]) }
            let m = col.reduce(0, +) / 40, v = col.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 40
            XCTAssertEqual(Double(got.0[c]), m, accuracy: 1e-5)
            XCTAssertEqual(Double(got.1[c]), v, accuracy: 1e-4)
            let ycol = stride(from: c, to: yv.count, by: 3).map { Double(yv[$0]) }
            XCTAssertEqual(ycol.reduce(0, +) / 40, 0, accuracy: 1e-5)
            XCTAssertEqual(ycol.map { $0 * $0 }.reduce(0, +) / 40, v / (v + 1e-5), accuracy: 1e-4)
        }
    }

    /// A tensor used several times: gradients from every use accumulate.
    func testCompositeGraphWithReuse() {
        var rng = TestRNG(11)
        let x = randomTensor([2, 3, 3, 4], &rng), w = randomTensor([4], &rng)
        checkGradients("x*x + silu(x)", [x]) { t in t[0].multiplying(t[0]).adding(t[0].silu()) }
        checkGradients("composite", [x, w]) { t in
            let x = t[0]
            let a = x.sigmoid()
            let bn = Tensor.batchNormTraining(x, weight: t[1], bias: Tensor(shape: [4], repeating: 0.1), eps: 1e-3) { _, _, _ in }
            let cat = Tensor.concatChannels([a, bn, x])           // x feeds three branches
            let pooled = cat.maxPool2d(kernel: 3, stride: 1, padding: 1).upsampleNearest(2)
            return pooled.sliceChannels(2, 8).multiplying(pooled.sliceChannels(0, 8).silu())
        }
    }

    func testExactGradientOfReuse() {
        let x = Tensor(shape: [3], values: [1, -2, 0.5], requiresGrad: true)
        let y = x.multiplying(x).adding(x).adding(x.scaled(3)).sum()   // Σ x² + 4x
        y.backward()
        XCTAssertEqual(x.grad?.toArray(), [6, 0, 5])
    }

    /// A second backward() accumulates into .grad, as in PyTorch.
    func testGradAccumulatesAcrossBackwardCalls() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        x.scaled(2).sum().backward()
        x.scaled(3).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [5, 5])
    }

    func testNoGradRecordsNothing() {
        var rng = TestRNG(12)
        let x = randomTensor([1, 4, 4, 2], &rng, grad: true)
        let w = randomTensor([3, 2, 3, 3], &rng, grad: true)
        let cache = ConvCache()
        let outs: [Tensor] = withNoGrad {
            [x.silu(), x.sigmoid(), x.adding(x), x.multiplying(x), x.scaled(2), x.sum(), x.softmax(),
             Tensor.concatChannels([x, x]), x.sliceChannels(0, 1), x.maxPool2d(kernel: 3, stride: 1, padding: 1),
             x.upsampleNearest(2), Tensor.conv2d(x, weight: w, padding: (1, 1), silu: true, cache: cache),
             Tensor.batchNormTraining(x, weight: Tensor(shape: [2], repeating: 1, requiresGrad: true),
                                      bias: Tensor(shape: [2], repeating: 0, requiresGrad: true), eps: 1e-3) { _, _, _ in }]
        }
        for (i, y) in outs.enumerated() { XCTAssertFalse(y.requiresGrad, "op \(i) recorded under withNoGrad") }
        XCTAssertTrue(GradMode.isEnabled)
        // Nested: the outer state is restored.
        withNoGrad {
            withNoGrad { XCTAssertFalse(GradMode.isEnabled) }
            XCTAssertFalse(GradMode.isEnabled)
        }
        XCTAssertTrue(GradMode.isEnabled)
        XCTAssertTrue(x.silu().requiresGrad)
        // Inputs that do not require grad record nothing either.
        XCTAssertFalse(Tensor(shape: [2], repeating: 1).silu().requiresGrad)
    }

    /// Gradients are plain values: backward() does not build a graph of its own (no create_graph).
    func testGradientsAreNotRecorded() {
        let a = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        let b = Tensor(shape: [3], values: [4, 5, 6], requiresGrad: true)
        a.multiplying(b).sum().backward()
        XCTAssertEqual(a.grad?.toArray(), [4, 5, 6])
        XCTAssertEqual(b.grad?.toArray(), [1, 2, 3])
        XCTAssertEqual(a.grad?.requiresGrad, false, "a.grad carries a graph")
        XCTAssertEqual(b.grad?.requiresGrad, false, "b.grad carries a graph")
    }
}
