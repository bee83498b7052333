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

    public init(geometry g: ConvGeometry, hasBias: Bool, postOps: ConvPostOps, training: Bool = false) {
        var p = yk_conv_params(
            n: Int32(g.batch), ic: Int32(g.inChannels), ih: Int32(g.height), iw: Int32(g.width),
            oc: Int32(g.outChannels), kh: Int32(g.kernelH), kw: Int32(g.kernelW),
            sh: Int32(g.strideH), sw: Int32(g.strideW), ph: Int32(g.padH), pw: Int32(g.padW),
            dh: Int32(g.dilationH), dw: Int32(g.dilationW), groups: Int32(g.groups),
            has_bias: hasBias ? 1 : 0, post_silu: postOps.silu ? 1 : 0, post_add: postOps.residualAdd ? 1 : 0,
            training: training ? 1 : 0)
        var err = [CChar](repeating: 0, count: 256)
        guard let h = yk_conv_create(&p, &err, Int32(err.count)) else {
            preconditionFailure("conv2d: cannot create oneDNN primitive for \(g): \(String(cString: err))")
        }
        handle = h
        geometry = g
        self.hasBias = hasBias
        self.postOps = postOps
        implementation = String(cString: yk_conv_impl(h))
        precondition(!implementation.hasPrefix("ref"),
                     "conv2d: oneDNN fell back to the reference implementation for \(g)")
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

    func forward(src: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                 dst: UnsafeMutablePointer<Float>) {
        let rc = yk_conv_forward(handle, src, bias, residual, dst)
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
    struct Key: Hashable { var geometry: ConvGeometry; var bias: Bool; var post: ConvPostOps; var training: Bool }
    private var kernels: [Key: ConvKernel] = [:]

    public init() {}

    func kernel(_ g: ConvGeometry, bias: Bool, post: ConvPostOps, training: Bool) -> ConvKernel {
        let key = Key(geometry: g, bias: bias, post: post, training: training)
        if let k = kernels[key] { return k }
        let k = ConvKernel(geometry: g, hasBias: bias, postOps: post, training: training)
        kernels[key] = k
        return k
    }

    /// Drops all primitives (e.g. after the weight shape changes).
    public func removeAll() { kernels.removeAll() }
}
