import CKernels

extension Tensor {
    /// Applies `f` to corresponding elements of two same-shaped tensors.
    private static func zipMap(_ a: Tensor, _ b: Tensor, _ op: String, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        let y = Tensor(uninitializedShape: a.shape)
        let pa = a.pointer, pb = b.pointer, py = y.pointer
        for i in 0..<a.count { py[i] = f(pa[i], pb[i]) }
        return y
    }

    /// Elementwise sum.
    public func adding(_ other: Tensor) -> Tensor {
        Tensor.zipMap(self, other, "add", +).recording("add", [self, other]) { g in [g, g] }
    }

    /// Elementwise difference.
    public func subtracting(_ other: Tensor) -> Tensor {
        Tensor.zipMap(self, other, "sub", -).recording("sub", [self, other]) { g in [g, g.scaled(-1)] }
    }

    /// Elementwise product.
    public func multiplying(_ other: Tensor) -> Tensor {
        Tensor.zipMap(self, other, "mul", *).recording("mul", [self, other]) { [self] g in
            [g.multiplying(other), g.multiplying(self)]
        }
    }

    /// Product with a scalar.
    public func scaled(_ s: Float) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        for i in 0..<count { y.pointer[i] = pointer[i] * s }
        return y.recording("scale", [self]) { g in [g.scaled(s)] }
    }

    /// SiLU, x·σ(x).
    public func silu() -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        yk_silu(pointer, y.pointer, Int64(count))
        return y.recording("silu", [self]) { [self] g in
            let dx = Tensor(uninitializedShape: shape)
            yk_silu_backward(pointer, g.pointer, dx.pointer, Int64(count))
            return [dx]
        }
    }

    /// Logistic sigmoid.
    public func sigmoid() -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        yk_sigmoid(pointer, y.pointer, Int64(count))
        return y.recording("sigmoid", [self]) { [y] g in
            let dx = Tensor(uninitializedShape: y.shape)
            for i in 0..<y.count { dx.pointer[i] = g.pointer[i] * y.pointer[i] * (1 - y.pointer[i]) }
            return [dx]
        }
    }

    /// Sum of all elements as a rank-0 tensor.
    public func sum() -> Tensor {
        var acc: Double = 0
        for i in 0..<count { acc += Double(pointer[i]) }
        let y = Tensor(shape: [], values: [Float(acc)])
        return y.recording("sum", [self]) { [shape] g in [Tensor(shape: shape, repeating: g.pointer[0])] }
    }

    /// Per-channel affine map on the last axis, `x * scale + shift`, optionally followed by SiLU
    /// (batch-norm inference). Not differentiable in scale/shift: training uses `batchNorm`.
    public func channelAffine(scale: [Float], shift: [Float], silu: Bool = false) -> Tensor {
        let c = shape.last ?? 0
        precondition(scale.count == c && shift.count == c,
                     "channelAffine: \(scale.count)/\(shift.count) coefficients for shape \(shape)")
        let y = Tensor(uninitializedShape: shape)
        yk_channel_affine(pointer, scale, shift, y.pointer, Int64(count / max(c, 1)), Int64(c), silu ? 1 : 0)
        return y
    }
}
