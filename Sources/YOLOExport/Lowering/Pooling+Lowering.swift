import YOLOModel

/// SPPF: `cv1` → three chained `MaxPool`s (kernel k, stride 1, pads k/2; scopes `m`, `m_1`, `m_2` as torch names
/// repeated calls) → `Concat` of the four maps → `cv2`.
extension SPPF: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        var maps = [try b.withScope("cv1") { try cv1.lower(inputs, in: context, parameterPath: parameterPath + ".cv1") }]
        let p = k / 2
        for j in 0..<3 {
            let pooled = b.withScope(j == 0 ? "m" : "m_\(j)") {
                b.node(GraphOp.maxPool, [maps.last!], [
                    "ceil_mode": .int(0), "dilations": .ints([1, 1]), "kernel_shape": .ints([k, k]),
                    "pads": .ints([p, p, p, p]), "strides": .ints([1, 1]),
                ])
            }
            maps.append(pooled)
        }
        let cat = context.concat(maps, axis: 1)
        return try b.withScope("cv2") { try cv2.lower([cat], in: context, parameterPath: parameterPath + ".cv2") }
    }
}

/// `nn.Upsample(scale_factor: s, mode: "nearest")` → `Resize` with scales `[1, 1, s, s]`, asymmetric coordinates and
/// floor rounding (exactly nearest-neighbour repetition).
extension Upsample: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        let scales = b.constant(floats: [1, 1, Float(scale), Float(scale)], shape: [4])
        return b.node(GraphOp.resize, [inputs[0], "", scales], [
            "coordinate_transformation_mode": .string("asymmetric"), "cubic_coeff_a": .float(-0.75),
            "mode": .string("nearest"), "nearest_mode": .string("floor"),
        ])
    }
}

/// Channel `Concat` of the `from` layers.
extension Concat: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        context.concat(inputs, axis: 1)
    }
}
