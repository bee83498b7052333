import XCTest
import YOLOTensor
import YOLOTestSupport

/// bf16 convolutions (`ConvCache.precision = .bfloat16`) against the direct convolution of `NaiveConv` on the same
/// inputs and weights rounded to bf16, so what remains is oneDNN's float32 accumulation order and, for bf16 results,
/// the final rounding.
///
/// Tolerances: a float32 result within atol 1e-4 + rtol 1e-4 of the reference (sums of at most 576 products of
/// magnitude ≤ 0.2, accumulated in float32). A bf16 result adds one rounding to 8 significant bits, a relative error of
/// at most 2⁻⁹: rtol 4e-3 (twice that) + atol 1e-4. The bf16 cases run only on CPUs with native bf16 (AVX512_BF16 or
/// AMX); elsewhere the same layers must run float32 kernels (`testWithoutNativeBF16TheLayerComputesFloat32`).
final class BF16ConvTests: XCTestCase {
    private struct Case {
        var name: String
        var input: [Int], weight: [Int]
        var stride = 1, padding = 1
        var bf16Source = false, bf16Result = true, residual = false
    }

    private let cases: [Case] = [
        Case(name: "3x3 64→51 9x7, float32 source", input: [1, 9, 7, 64], weight: [51, 64, 3, 3]),
        Case(name: "3x3 s2 32→64 batch 2, float32 result", input: [2, 10, 9, 32], weight: [64, 32, 3, 3], stride: 2,
             bf16Result: false),
        Case(name: "1x1 48→32, bf16 source and residual", input: [1, 6, 5, 48], weight: [32, 48, 1, 1], padding: 0,
             bf16Source: true, residual: true),
        Case(name: "3x3 16→16 13x11, bf16 source, residual", input: [1, 13, 11, 16], weight: [16, 16, 3, 3],
             bf16Source: true, residual: true),
        // 1×1 layers our bf16 kernel takes (no residual): its 6×4, 8×3, 12×2 tiles and single-pixel tails, batches,
        // few input pairs, float32 results.
        Case(name: "1x1 48→80 7x5 batch 2, bf16 source", input: [2, 7, 5, 48], weight: [80, 48, 1, 1], padding: 0,
             bf16Source: true),
        Case(name: "1x1 6→32 13x11, float32 source and result", input: [1, 13, 11, 6], weight: [32, 6, 1, 1],
             padding: 0, bf16Result: false),
        Case(name: "1x1 384→48 3x3, bf16 source", input: [1, 3, 3, 384], weight: [48, 384, 1, 1], padding: 0,
             bf16Source: true),
        Case(name: "1x1 64→16 40x41, bf16 source", input: [1, 40, 41, 64], weight: [16, 64, 1, 1], padding: 0,
             bf16Source: true),
    ]

    /// Runs the case and checks it; returns the primitive's implementation name.
    @discardableResult
    private func run(_ c: Case, seed: UInt64) -> String {
        var rng = TestRNG(seed)
        let x = randomTensor(c.input, &rng)
        let w = randomTensor(c.weight, &rng, lo: -0.2, hi: 0.2)
        let b = randomTensor([c.weight[0]], &rng)
        let xr = Tensor(shape: x.shape, values: x.toArray().map(bf16Rounded))
        let wr = Tensor(shape: w.shape, values: w.toArray().map(bf16Rounded))
        let ref = NaiveConv(stride: (c.stride, c.stride), padding: (c.padding, c.padding), dilation: (1, 1), groups: 1)
            .forward(x: xr, w: wr, bias: b)
        // A bf16 result takes a bf16 residual: the reference adds the rounded values.
        let res = c.residual ? randomTensor(ref.shape, &rng) : nil
        var want = ref.values.map { $0 / (1 + exp(-$0)) }
        if let res {
            let r = res.toArray().map(c.bf16Result ? bf16Rounded : { $0 })
            want = zip(want, r).map { $0 + $1 }
        }
        let cache = ConvCache()
        cache.precision = .bfloat16
        let y = withNoGrad {
            Tensor.conv2d(c.bf16Source ? x.toBF16() : x, weight: w, bias: b, stride: (c.stride, c.stride),
                          padding: (c.padding, c.padding), silu: true, residual: res, blockedOutput: c.bf16Result,
                          cache: cache)
        }
        let kernel = cache.primitives.first
        XCTAssertEqual(kernel?.isBF16, true, "\(c.name): \(kernel?.implementation ?? "no primitive")")
        let impl = kernel?.implementation ?? ""
        XCTAssertTrue((impl.contains("bf16") || impl.contains("amx")) && !impl.hasPrefix("ref"), "\(c.name): \(impl)")
        XCTAssertEqual(y.layout, c.bf16Result ? .bf16 : .nhwc, c.name)
        XCTAssertEqual(y.shape, ref.shape, c.name)
        assertClose(y.toArray(), want, atol: 1e-4, rtol: c.bf16Result ? 4e-3 : 1e-4, c.name)
        return impl
    }

    func testBF16MatchesDirectConvolutionOfRoundedValues() throws {
        try XCTSkipUnless(ConvPrecision.isBF16Supported, "no native bf16 on this CPU (AVX512_BF16 or AMX)")
        for (k, c) in cases.enumerated() { run(c, seed: UInt64(1400 + k)) }
    }

    /// Runs the cases `include` selects with a kernel choice forced on and then off (`force`, read back by `current`),
    /// after checking that the automatic choice is on unless the CPU has AMX (when `env` does not set it);
    /// `check(case, on, implementation)` judges each primitive. The automatic choice is restored afterwards.
    private func forEachChoice(force: (Bool?) -> Void, current: () -> Bool, env: String, seed: UInt64,
                               include: (Case) -> Bool, check: (Case, Bool, String) -> Void) throws {
        try XCTSkipUnless(ConvPrecision.isBF16Supported, "no native bf16 on this CPU (AVX512_BF16 or AMX)")
        defer { force(nil) }
        force(nil)
        if ProcessInfo.processInfo.environment[env] == nil {
            XCTAssertEqual(current(), ConvPrecision.bf16Hardware != "AMX", "automatic choice of \(env)")
        }
        for on in [true, false] {
            force(on)
            XCTAssertEqual(current(), on)
            for (k, c) in cases.enumerated() where include(c) { check(c, on, run(c, seed: seed + UInt64(k))) }
        }
    }

    /// Spatial (3×3) layers take oneDNN's direct bf16 kernel where it is preferred — automatically on a CPU without
    /// AMX — and `brgconv` otherwise; 1×1 layers never do. Both kernels meet the same tolerances.
    func testSpatialLayersTakeTheDirectKernelWherePreferred() throws {
        try forEachChoice(force: ConvPrecision.overrideDirectBF16Kernel, current: { ConvPrecision.prefersDirectBF16Kernel },
                          env: "YOLO_BF16_DIRECT", seed: 1500, include: { _ in true }) { c, direct, impl in
            // oneDNN 2.6's default for a 3×3 layer with a residual is the direct kernel already (brgconv takes none at
            // these widths), so only the layers without one tell the two choices apart.
            let spatial = c.weight[2] * c.weight[3] > 1
            XCTAssertEqual(impl.hasPrefix("jit_bf16:"), spatial && (direct || c.residual), "\(c.name), direct \(direct): \(impl)")
        }
    }

    /// 1×1 layers without a residual run our own bf16 kernel where it is preferred — automatically on a CPU without
    /// AMX — and oneDNN's otherwise (a residual always goes to oneDNN); both meet the same tolerances.
    func testOwn1x1KernelWherePreferred() throws {
        try forEachChoice(force: ConvPrecision.overrideOwnBF16Conv1x1, current: { ConvPrecision.prefersOwnBF16Conv1x1 },
                          env: "YOLO_BF16_1X1", seed: 1550, include: { $0.weight[2] * $0.weight[3] == 1 }) { c, own, impl in
            XCTAssertEqual(impl == "conv1x1_bf16:avx512_bf16", own && !c.residual, "\(c.name), own \(own): \(impl)")
        }
    }

    /// Training never computes bf16, whatever the layer's precision, and float32 layers never do.
    func testTrainingAndFloat32LayersStayFloat32() {
        var rng = TestRNG(1600)
        let x = randomTensor([1, 6, 6, 16], &rng)
        let w = randomTensor([16, 16, 3, 3], &rng, lo: -0.2, hi: 0.2, grad: true)
        let bf16 = ConvCache()
        bf16.precision = .bfloat16
        let y = Tensor.conv2d(x, weight: w, padding: (1, 1), silu: true, blockedOutput: true, cache: bf16)
        XCTAssertEqual(y.layout, .nhwc)
        XCTAssertEqual(bf16.primitives.map(\.isBF16), [false])
        y.sum().backward()
        XCTAssertNotNil(w.grad)
        let plain = ConvCache()
        _ = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), blockedOutput: true, cache: plain) }
        XCTAssertEqual(plain.primitives.map(\.isBF16), [false])
    }

    /// Without native bf16 a `.bfloat16` layer runs float32 kernels and leaves float32 results (no emulation).
    func testWithoutNativeBF16TheLayerComputesFloat32() throws {
        try XCTSkipIf(ConvPrecision.isBF16Supported, "this CPU has native bf16; the other tests cover it")
        var rng = TestRNG(1700)
        let x = randomTensor([1, 6, 6, 16], &rng)
        let w = randomTensor([16, 16, 3, 3], &rng, lo: -0.2, hi: 0.2)
        let cache = ConvCache()
        cache.precision = .bfloat16
        let y = withNoGrad { Tensor.conv2d(x, weight: w, padding: (1, 1), blockedOutput: true, cache: cache) }
        XCTAssertNotEqual(y.layout, .bf16)
        XCTAssertEqual(cache.primitives.map(\.isBF16), [false])
    }
}

/// Round to nearest even to 8 significant bits (bf16), NaN kept NaN: an independent Swift statement of the rule
/// `yk_f32_to_bf16` implements.
func bf16Rounded(_ v: Float) -> Float {
    if v.isNaN { return v }
    let u = v.bitPattern
    let rounded = (u &+ 0x7fff &+ ((u >> 16) & 1)) & 0xffff_0000
    return Float(bitPattern: rounded)
}
