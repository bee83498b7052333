import CKernels

/// Geometry of a 2-D convolution over an NHWC input with OIHW weights.
public struct ConvGeometry: Hashable, Sendable {
    public var batch, inChannels, height, width, outChannels, kernelH, kernelW: Int
    public var strideH, strideW, padH, padW, dilationH, dilationW, groups: Int

    /// Output spatial size, PyTorch's formula.
    public var outHeight: Int { (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1 }
    public var outWidth: Int { (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1 }
    /// Multiply-accumulates of one forward pass.
    public var macs: Int { batch * outHeight * outWidth * outChannels * (inChannels / groups) * kernelH * kernelW }
}

/// Post-operations fused into a forward convolution.
public struct ConvPostOps: Hashable, Sendable {
    public var silu: Bool
    public var residualAdd: Bool
    public init(silu: Bool = false, residualAdd: Bool = false) {
        self.silu = silu
        self.residualAdd = residualAdd
    }
}

/// One oneDNN convolution primitive with its weights in the primitive's preferred layout.
public final class ConvKernel: @unchecked Sendable {
    let handle: OpaquePointer
    public let geometry: ConvGeometry
    public let hasBias: Bool
    public let postOps: ConvPostOps
    /// The implementation oneDNN picked (e.g. `brgconv:avx512_core`).
    public let implementation: String
    /// `version` of the weight tensor last reordered into the primitive.
    var weightVersion = -1
    var weightIdentity: ObjectIdentifier?

    public convenience init(geometry g: ConvGeometry, hasBias: Bool, postOps: ConvPostOps, training: Bool = false,
                            blockedOutput: Bool = false, precision: ConvPrecision = .float32, bf16Output: Bool = false) {
        self.init(key: ConvCache.Key(geometry: g, bias: hasBias, post: postOps, training: training,
                                     blockedOutput: blockedOutput, bf16: precision == .bfloat16, bf16Output: bf16Output))
    }

    /// Creates the primitive `key` describes (a reference implementation is refused).
    convenience init(key: ConvCache.Key) {
        var p = key.params
        var err = [CChar](repeating: 0, count: 256)
        guard let h = yk_conv_create(&p, &err, Int32(err.count)) else {
            preconditionFailure("conv2d: cannot create oneDNN primitive for \(key.geometry): \(String(cString: err))")
        }
        self.init(handle: h, geometry: key.geometry, hasBias: key.bias, postOps: key.post)
        precondition(!implementation.hasPrefix("ref"),
                     "conv2d: oneDNN fell back to the reference implementation for \(key.geometry)")
    }

    init(handle h: OpaquePointer, geometry g: ConvGeometry, hasBias: Bool, postOps: ConvPostOps) {
        handle = h
        geometry = g
        self.hasBias = hasBias
        self.postOps = postOps
        implementation = String(cString: yk_conv_impl(h))
    }

    static func params(_ g: ConvGeometry, hasBias: Bool, postOps: ConvPostOps, training: Bool,
                       blockedOutput: Bool, precision: ConvPrecision = .float32, bf16Output: Bool = false) -> yk_conv_params {
        yk_conv_params(
            n: Int32(g.batch), ic: Int32(g.inChannels), ih: Int32(g.height), iw: Int32(g.width),
            oc: Int32(g.outChannels), kh: Int32(g.kernelH), kw: Int32(g.kernelW),
            sh: Int32(g.strideH), sw: Int32(g.strideW), ph: Int32(g.padH), pw: Int32(g.padW),
            dh: Int32(g.dilationH), dw: Int32(g.dilationW), groups: Int32(g.groups),
            has_bias: hasBias ? 1 : 0, post_silu: postOps.silu ? 1 : 0, post_add: postOps.residualAdd ? 1 : 0,
            training: training ? 1 : 0, dst_blocked: blockedOutput ? 1 : 0, bf16: precision == .bfloat16 ? 1 : 0,
            dst_bf16: bf16Output ? 1 : 0)
    }

    deinit { yk_conv_destroy(handle) }

    /// Reorders `weight` (OIHW) into the primitive unless it is already current.
    func prepare(weight: Tensor) {
        let id = ObjectIdentifier(weight)
        if weightIdentity == id && weightVersion == weight.version { return }
        let rc = yk_conv_set_weights(handle, weight.pointer)
        precondition(rc == 0, "conv2d: weight reorder failed for \(weight.shape)")
        weightIdentity = id
        weightVersion = weight.version
    }

    /// Whether the result (and a residual) is `nChw8c` (asked for with `blockedOutput`, and available).
    public var leavesBlocked: Bool { yk_conv_dst_blocked(handle) != 0 }

    /// The layout of the result (and a residual): `.nChw8c` when `leavesBlocked`, `.bf16` when `leavesBF16`.
    var resultLayout: TensorLayout { leavesBlocked ? .nChw8c : leavesBF16 ? .bf16 : .nhwc }

    /// The layout this primitive takes a source of `layout` in: as it is when the primitive reads it (`.nChw8c` for a
    /// blocked one, `.bf16` for a bf16 one), else float32 NHWC (a bf16 primitive converts that itself).
    func sourceLayout(for layout: TensorLayout) -> TensorLayout {
        switch layout {
        case .nChw8c where isBlocked, .bf16 where isBF16: return layout
        default: return .nhwc
        }
    }

    /// Runs the primitive on a source in `sourceLayout(for:)`'s layout; dst and residual in `resultLayout`.
    func forward(src: UnsafeRawPointer, layout: TensorLayout = .nhwc, bias: UnsafePointer<Float>?,
                 residual: UnsafeRawPointer?, dst: UnsafeMutableRawPointer) {
        let code: Int32 = switch layout {
        case .nhwc: Int32(YK_SRC_NHWC)
        case .nChw8c: Int32(YK_SRC_NCHW8C)
        case .bf16: Int32(YK_SRC_BF16)
        }
        let rc = yk_conv_forward_layout(handle, src, code, bias, residual, dst)
        precondition(rc == 0, "conv2d: oneDNN execution failed for \(geometry)")
    }

    func backward(src: UnsafePointer<Float>, diffDst: UnsafePointer<Float>, diffSrc: UnsafeMutablePointer<Float>?,
                  diffWeights: UnsafeMutablePointer<Float>?, diffBias: UnsafeMutablePointer<Float>?) {
        let rc = yk_conv_backward(handle, src, diffDst, diffSrc, diffWeights, diffBias)
        precondition(rc == 0, "conv2d backward: oneDNN execution failed for \(geometry)")
    }
}

/// Primitives for one weight tensor, keyed by input geometry and post-ops. Creating a primitive costs
/// milliseconds, so each layer keeps its own cache and reuses it for every call at the same shape.
public final class ConvCache: @unchecked Sendable {
    struct Key: Hashable {
        var geometry: ConvGeometry
        var bias: Bool
        var post: ConvPostOps
        var training: Bool
        var blockedOutput = false
        var bf16 = false
        var bf16Output = false
    }
    private var kernels: [Key: ConvKernel] = [:]
    /// The key of the latest call, from which `prewarm` predicts the next shape's primitive.
    private(set) var lastKey: Key?
    /// While set (`plan`), convolutions only record their geometry and return zeros of the output shape.
    private(set) var isPlanning = false
    /// Primitives created by a call that found none (not by `prewarm`): what planning failed to foresee.
    public private(set) var createdOnDemand = 0

    /// The arithmetic of this layer's inference convolutions (`.bfloat16` only takes effect where
    /// `ConvPrecision.isBF16Supported`). Changing it keeps the primitives already made (they are keyed by precision).
    public var precision: ConvPrecision = .float32

    public init() {}

    /// The primitives created so far (any order).
    public var primitives: [ConvKernel] { Array(kernels.values) }

    /// Runs `body` with these caches planning: every convolution through them records the geometry it would use
    /// and returns zeros instead of computing, so a cheap pass over a small input tells `prewarm` what a network
    /// needs. The other ops still run (on zeros).
    public static func plan<T>(_ caches: [ConvCache], _ body: () throws -> T) rethrows -> T {
        for c in caches { c.isPlanning = true }
        defer { for c in caches { c.isPlanning = false } }
        return try body()
    }

    func record(_ key: Key) { lastKey = key }

    func kernel(_ key: Key) -> ConvKernel {
        lastKey = key
        if let k = kernels[key] { return k }
        createdOnDemand += 1
        let k = ConvKernel(key: key)
        kernels[key] = k
        return k
    }

    /// Makes `kernel`'s weights current: a copy from a sibling primitive already holding this weight version in the
    /// same layout (a new input shape usually keeps the layout), else a reorder.
    func prepare(_ kernel: ConvKernel, weight: Tensor) {
        let id = ObjectIdentifier(weight)
        if kernel.weightIdentity == id && kernel.weightVersion == weight.version { return }
        for other in kernels.values where other !== kernel
            && other.weightIdentity == id && other.weightVersion == weight.version {
            if yk_conv_copy_weights(kernel.handle, other.handle) == 0 {
                kernel.weightIdentity = id
                kernel.weightVersion = weight.version
                return
            }
        }
        kernel.prepare(weight: weight)
    }

    /// Makes every inference primitive's weights current (after `prewarm`, so their first forwards reorder nothing).
    public func prepareAll(weight: Tensor) {
        for (key, kernel) in kernels where !key.training { prepare(kernel, weight: weight) }
    }

    /// Whether every inference primitive holds `weight`'s current values.
    public func hasPreparedPrimitives(weight: Tensor) -> Bool {
        kernels.allSatisfy { $0.key.training
            || ($0.value.weightIdentity == ObjectIdentifier(weight) && $0.value.weightVersion == weight.version) }
    }

    /// Drops all primitives (e.g. after the weight shape changes).
    public func removeAll() {
        kernels.removeAll()
        lastKey = nil
    }

    /// Creates, several at a time, the inference primitives these caches will need once the input of the network
    /// they belong to changes from `old` to `new` (`[N, H, W]`, both multiples of every stride inside): each cache's
    /// last geometry scaled by the ratio. A primitive costs 0.3–25 ms of single-threaded code generation, so a new
    /// letterbox shape otherwise pays the sum of them serially. Predictions that do not come true only cost time.
    /// `threads` 0 uses as many threads as the convolutions compute with (OpenMP's count). With `codeFreeOnly`, only
    /// the primitives our own kernels serve (Winograd, float32 and bf16 1×1: nothing to generate).
    public static func prewarm(_ caches: [ConvCache], from old: [Int], to new: [Int], threads: Int = 0,
                               codeFreeOnly: Bool = false) {
        precondition(old.count == 3 && new.count == 3 && old.allSatisfy { $0 > 0 } && new.allSatisfy { $0 > 0 },
                     "ConvCache.prewarm: shapes \(old) → \(new) must be [N, H, W]")
        var wanted: [(ConvCache, Key)] = []
        for cache in caches {
            guard let last = cache.lastKey, !last.training else { continue }
            var g = last.geometry
            guard let n = scaled(g.batch, old[0], new[0]), let h = scaled(g.height, old[1], new[1]),
                  let w = scaled(g.width, old[2], new[2]) else { continue }
            (g.batch, g.height, g.width) = (n, h, w)
            guard g.outHeight > 0 && g.outWidth > 0 else { continue }
            let key = Key(geometry: g, bias: last.bias, post: last.post, training: false, blockedOutput: last.blockedOutput,
                          bf16: last.bf16, bf16Output: last.bf16Output)
            if cache.kernels[key] == nil && (!codeFreeOnly || key.isCodeFree) { wanted.append((cache, key)) }
        }
        guard !wanted.isEmpty else { return }
        let params = wanted.map(\.1.params)
        var handles = [OpaquePointer?](repeating: nil, count: params.count)
        params.withUnsafeBufferPointer { p in
            handles.withUnsafeMutableBufferPointer { h in
                yk_conv_create_many(p.baseAddress, Int32(p.count), h.baseAddress, Int32(max(0, threads)))
            }
        }
        for ((cache, key), handle) in zip(wanted, handles) {
            guard let handle else { continue }
            let k = ConvKernel(handle: handle, geometry: key.geometry, hasBias: key.bias, postOps: key.post)
            // A reference implementation is never kept: the normal path then reports it where it is used.
            if !k.implementation.hasPrefix("ref") { cache.kernels[key] = k }
        }
    }

    /// `value · new / old` when it is a whole number.
    private static func scaled(_ value: Int, _ old: Int, _ new: Int) -> Int? {
        let (p, overflow) = value.multipliedReportingOverflow(by: new)
        return !overflow && p % old == 0 ? p / old : nil
    }
}

extension ConvCache.Key {
    /// Whether one of our own kernels (Winograd, float32 or bf16 1×1) serves this call (`yk_conv_is_code_free`): creating
    /// it generates no code.
    var isCodeFree: Bool {
        var p = params
        return yk_conv_is_code_free(&p) != 0
    }

    /// The primitive description for `yk_conv_create`.
    var params: yk_conv_params {
        ConvKernel.params(geometry, hasBias: bias, postOps: post, training: training, blockedOutput: blockedOutput,
                          precision: bf16 ? .bfloat16 : .float32, bf16Output: bf16Output)
    }
}
