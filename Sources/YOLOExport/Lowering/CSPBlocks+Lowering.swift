import YOLOModel

/// C2f in its split form (what the reference exports): `cv1` → `Split` into two halves → each bottleneck reads the
/// previous output (`m.0`, `m.1`, …) → `Concat` of both halves and every bottleneck output → `cv2`.
extension C2f: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        let c = cv1.conv.outChannels / 2
        let y = try b.withScope("cv1") { try cv1.lower(inputs, in: context, parameterPath: parameterPath + ".cv1") }
        let halves = b.add(GraphOp.split, [y, b.constant(ints: [c, c])], ["axis": .int(1)], outputs: 2)
        var parts = halves
        for (j, block) in m.items.enumerated() {
            guard let block = block as? Bottleneck else {
                throw ExportError.unsupportedLayer(path: "\(parameterPath).m.\(j)", type: "\(type(of: block))")
            }
            let out = try b.withScope("m.\(j)") {
                try block.lower([parts.last!], in: context, parameterPath: "\(parameterPath).m.\(j)")
            }
            parts.append(out)
        }
        let cat = context.concat(parts, axis: 1)
        return try b.withScope("cv2") { try cv2.lower([cat], in: context, parameterPath: parameterPath + ".cv2") }
    }
}

/// C2 (the P6 models' neck block): `cv1` → `Split` → the bottleneck chain on the first half (`m`, a Sequential) →
/// `Concat` with the second half → `cv2`.
extension C2: GraphLowerable {
    public func lower(_ inputs: [String], in context: LoweringContext, parameterPath: String) throws -> String {
        let b = context.builder
        let c = cv1.conv.outChannels / 2
        let y = try b.withScope("cv1") { try cv1.lower(inputs, in: context, parameterPath: parameterPath + ".cv1") }
        let halves = b.add(GraphOp.split, [y, b.constant(ints: [c, c])], ["axis": .int(1)], outputs: 2)
        var a = halves[0]
        try b.withScope("m") {
            for (j, block) in m.items.enumerated() {
                guard let block = block as? Bottleneck else {
                    throw ExportError.unsupportedLayer(path: "\(parameterPath).m.\(j)", type: "\(type(of: block))")
                }
                a = try b.withScope("m.\(j)") {
                    try block.lower([a], in: context, parameterPath: "\(parameterPath).m.\(j)")
                }
            }
        }
        let cat = context.concat([a, halves[1]], axis: 1)
        return try b.withScope("cv2") { try cv2.lower([cat], in: context, parameterPath: parameterPath + ".cv2") }
    }
}
