import XCTest
import YOLOModel
import YOLONN
import YOLOTensor
import YOLOTestSupport

/// Raw network output against Ultralytics 8.4.190. References: Tests/Fixtures/out-*.npy, made by
/// Scripts/reference/make_fixtures.py (`model(x)[0]` in eval mode, unfused and after `.fuse()`).
///
/// Tolerances (issue #2): max |Δ| ≤ 1e-3 on the pixel-valued channels (boxes, keypoint x/y, up to ~670),
/// and ≤ 1e-4 relative (plus 1e-6 absolute) on the probability channels (class and keypoint visibility).
final class ForwardParityTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func check(_ checkpoint: String, _ size: String, fused: Bool, network: YOLONetwork? = nil,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let net = try network ?? YOLONetwork.load(Fixtures.path(checkpoint + ".pt"), task: "pose")
        if fused { net.fuse() }
        let input = try NpyArray(contentsOf: Fixtures.url("input-\(size).npy"))
        let x = Tensor(shape: input.shape, values: input.values.map { $0 / 255 })
        let out = withNoGrad { net(x) }
        let ref = try NpyArray(contentsOf: Fixtures.url("out-\(checkpoint)-\(size)-\(fused ? "fused" : "unfused").npy"))
        XCTAssertEqual(out.shape, ref.shape, "\(checkpoint) \(size) output shape", file: file, line: line)
        guard out.shape == ref.shape else { return }
        let channels = ref.shape[1], anchors = ref.shape[2]
        let nc = net.nc, kdim = net.kptShape?[1] ?? 3
        let values = out.toArray()
        var pixel: ([Float], [Float]) = ([], []), prob: ([Float], [Float]) = ([], [])
        for c in 0..<channels {
            let isProb = (c >= 4 && c < 4 + nc) || (c >= 4 + nc && kdim == 3 && (c - 4 - nc) % 3 == 2)
            let range = c * anchors..<(c + 1) * anchors
            if isProb { prob.0 += values[range]; prob.1 += ref.values[range] }
            else { pixel.0 += values[range]; pixel.1 += ref.values[range] }
        }
        let label = "\(checkpoint) \(size) \(fused ? "fused" : "unfused")"
        assertClose(pixel.0, pixel.1, atol: 1e-3, "\(label) boxes/keypoints", file: file, line: line)
        assertClose(prob.0, prob.1, atol: 1e-6, rtol: 1e-4, "\(label) class/visibility", file: file, line: line)
    }

    func testRandomN640() throws { try check("rand-n-pose", "640x640", fused: false); try check("rand-n-pose", "640x640", fused: true) }
    func testRandomNRect() throws { try check("rand-n-pose", "480x640", fused: true) }
    func testTrainedN640() throws {
        try check("trained-n-pose", "640x640", fused: false)
        try check("trained-n-pose", "640x640", fused: true)
    }
    func testTrainedNRect() throws {
        try check("trained-n-pose", "480x640", fused: false)
        try check("trained-n-pose", "480x640", fused: true)
    }
    /// The first inference plans every convolution on a small input and creates the primitives several at a time;
    /// a later shape gets its primitives from the previous shape's geometry. No layer may then create one itself,
    /// and the outputs stay the reference's.
    func testPrimitivesAreCreatedAheadOfEachNewShape() throws {
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"), task: "pose")
        let caches = net.namedModules().compactMap { ($0.1 as? Conv2d)?.cache }
        XCTAssertGreaterThan(caches.count, 60)
        try check("trained-n-pose", "480x640", fused: true, network: net)
        XCTAssertEqual(caches.map(\.createdOnDemand).reduce(0, +), 0, "primitives created during the first forward")
        try check("trained-n-pose", "640x640", fused: true, network: net)
        XCTAssertEqual(caches.map(\.createdOnDemand).reduce(0, +), 0, "primitives created during the new shape's forward")
        try check("trained-n-pose", "480x640", fused: true, network: net)
    }

    /// `warmup` (what a predictor does before its first image) plans the network and creates the primitives our own
    /// kernels serve at its shape (no code generation), their weights prepared, without computing a convolution; the
    /// first forward creates the rest ahead of its layers (none on demand) at the warmup's shape or another, and both
    /// give the reference's outputs. After an inference it changes nothing. (The blocked layout, where our kernels run,
    /// forced.)
    func testWarmupPreparesItsShapeAhead() throws {
        try withConvLayout(.blocked) { try checkWarmupPreparesItsShapeAhead() }
    }

    private func checkWarmupPreparesItsShapeAhead() throws {
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"), task: "pose")
        net.fuse()
        let convs = net.namedModules().compactMap { $0.1 as? Conv2d }
        net.warmup(height: 640, width: 640)
        let own = convs.filter { !$0.cache.primitives.isEmpty }
        XCTAssertGreaterThan(own.count, 40, "the 3×3 stride-1 and chain 1×1 layers run our kernels")
        XCTAssertTrue(own.allSatisfy { $0.cache.primitives.count == 1 && $0.cache.hasPreparedPrimitives(weight: $0.weight) },
                      "one primitive per layer, its weights prepared")
        XCTAssertTrue(own.flatMap(\.cache.primitives).allSatisfy { $0.isWinograd || $0.isConv1x1 },
                      "no oneDNN code generated for a shape no image may have")
        try check("trained-n-pose", "640x640", fused: true, network: net)
        XCTAssertEqual(convs.map(\.cache.createdOnDemand).reduce(0, +), 0, "primitives created during the warmed-up forward")
        XCTAssertTrue(convs.allSatisfy { $0.cache.primitives.count <= 1 }, "the forward used the warmed-up primitives")
        XCTAssertEqual(convs.flatMap(\.cache.primitives).filter { $0.isWinograd || $0.isConv1x1 }.count, own.count,
                       "yk_conv_is_code_free foresees exactly the layers our kernels took")
        try check("trained-n-pose", "480x640", fused: true, network: net)
        XCTAssertEqual(convs.map(\.cache.createdOnDemand).reduce(0, +), 0, "primitives created during the next shape's forward")
        let counts = convs.map(\.cache.primitives.count)
        net.warmup(height: 320, width: 320)
        XCTAssertEqual(convs.map(\.cache.primitives.count), counts, "a warmup after an inference does nothing")
    }

    /// A predictor warms its network up at its imgsz before the first image, as the reference does; training does not.
    func testWarmupOnlyForInference() throws {
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"), task: "pose")
        let convs = net.namedModules().compactMap { $0.1 as? Conv2d }
        net.train()
        net.warmup(height: 64, width: 64)
        XCTAssertTrue(convs.allSatisfy { $0.cache.primitives.isEmpty }, "no primitives while training")
        net.eval()
        net.fuse()
        withConvLayout(.blocked) { net.warmup(height: 64, width: 96) }
        let sides = ownKernelInputSides(convs.flatMap(\.cache.primitives).filter { $0.geometry.outChannels == 16 })
        XCTAssertEqual(sides, [[16, 24]], "the stride-4 bottleneck's 16-channel primitives are for the warmup's size")
    }

    /// The same in bf16 (`setPrecision(.bfloat16)` on a CPU with native bf16): planning and prewarm foresee the bf16
    /// primitives too, also when the precision is set again between images (as a predictor per image does).
    func testBF16PrimitivesAreCreatedAheadOfEachNewShape() throws {
        try XCTSkipUnless(ConvPrecision.isBF16Supported, "no native bf16 on this CPU (AVX512_BF16 or AMX)")
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"), task: "pose")
        net.fuse()
        XCTAssertEqual(net.setPrecision(.bfloat16), .bfloat16)
        let caches = net.namedModules().compactMap { ($0.1 as? Conv2d)?.cache }
        for (h, w) in [(480, 640), (640, 640), (480, 640)] {
            _ = withNoGrad { net(Tensor(shape: [1, h, w, 3], repeating: 0.5)) }
            XCTAssertEqual(caches.map(\.createdOnDemand).reduce(0, +), 0, "primitives created during the \(h)x\(w) forward")
            XCTAssertEqual(net.setPrecision(.bfloat16), .bfloat16)
        }
        let layers = ConvPrecision.headRunsFloat32InBF16 ? 45 : 63  // the head's 18 3×3 layers float32 where faster
        XCTAssertEqual(caches.flatMap(\.primitives).filter(\.isBF16).count, layers * 2, "\(layers) bf16 layers at two shapes")
    }

    /// Both convolution layouts (`ConvLayoutPolicy`) give the reference's outputs on every CPU: NHWC everywhere, and
    /// the 3×3 convolutions on nChw8c copies (the default without AVX-512).
    func testBothConvolutionLayouts() throws {
        let saved = ConvLayoutPolicy.current
        defer { ConvLayoutPolicy.current = saved }
        for policy in [ConvLayoutPolicy.blocked, .nhwc] {
            ConvLayoutPolicy.current = policy
            let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"), task: "pose")
            try check("trained-n-pose", "480x640", fused: true, network: net)
            let kernels = net.namedModules().compactMap { ($0.1 as? Conv2d)?.cache.primitives }.flatMap { $0 }
            let blocked = kernels.filter(\.isBlocked).count
            if policy == .blocked { XCTAssertGreaterThan(blocked, 20, "3×3 convolutions on nChw8c") }
            else { XCTAssertEqual(blocked, 0) }
            XCTAssertFalse(kernels.contains { $0.implementation.hasPrefix("ref") })
        }
    }

    func testTinyCustomKeypoints() throws {
        for size in ["640x640", "320x320"] {
            for fused in [false, true] {
                try check("tiny-k5-pose", size, fused: fused)
                try check("tiny-k12d2-pose", size, fused: fused)
            }
        }
    }
}
