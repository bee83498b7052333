/// Infers element type and shape of every intermediate tensor (fills `ExportGraph.valueInfo`) for the ops in
/// `GraphOp`. Fixed sizes propagate exactly; a symbolic size passes through ops that keep it (elementwise,
/// Concat on another axis, Reshape with 0, Transpose…); sizes that depend on a symbolic one through arithmetic
/// or on data (NonZero, NonMaxSuppression) get fresh names `unk__<n>`. Declared graph output shapes are kept.
public enum GraphShapeInference {
    /// Runs inference over the whole graph.
    public static func run(_ graph: inout ExportGraph) {
        var known: [String: GraphValueInfo] = [:]
        for i in graph.inputs { known[i.name] = i }
        var constants: [String: GraphConstant] = [:]
        for c in graph.constants {
            constants[c.name] = c
            known[c.name] = GraphValueInfo(name: c.name, dtype: c.dtype, shape: c.shape.map(GraphDim.fixed))
        }
        var state = State(constants: constants)
        var info: [String: GraphValueInfo] = [:]
        for node in graph.nodes {
            let ins = node.inputs.map { $0.isEmpty ? nil : known[$0] }
            let outs = state.infer(node, ins)
            for (name, out) in zip(node.outputs, outs) where !name.isEmpty {
                let v = GraphValueInfo(name: name, dtype: out.dtype, shape: out.shape)
                known[name] = v
                info[name] = v
            }
        }
        for (k, o) in graph.outputs.enumerated() {
            if let inferred = info[o.name] {
                if o.shape == nil { graph.outputs[k].shape = inferred.shape }
                graph.outputs[k].dtype = inferred.dtype
            }
            info[o.name] = nil
        }
        graph.valueInfo = info
    }

    private struct State {
        let constants: [String: GraphConstant]
        var fresh = 0

        mutating func unknown() -> GraphDim {
            fresh += 1
            return .symbolic("unk__\(fresh)")
        }

        /// Int values from input `slot` when it is a constant, else from attribute `attribute` (older opset forms).
        func ints(_ n: GraphNode, _ slot: Int, _ attribute: String) -> [Int]? {
            if slot < n.inputs.count, !n.inputs[slot].isEmpty { return ints(n.inputs[slot]) }
            return n.attributes[attribute]?.intsValue
        }

        func ints(_ name: String?) -> [Int]? {
            guard let name, let c = constants[name], let v = c.intValues else { return nil }
            return v.map { Int($0) }
        }

        mutating func infer(_ n: GraphNode, _ ins: [GraphValueInfo?]) -> [(dtype: GraphDType, shape: [GraphDim]?)] {
            let x = ins.first ?? nil
            let dtype = x?.dtype ?? .float32
            let shape = x?.shape
            func axis(_ a: Int, _ rank: Int) -> Int { a < 0 ? a + rank : a }
            switch n.op {
            case GraphOp.sigmoid, GraphOp.softmax, GraphOp.identity, GraphOp.silu:
                return [(dtype, shape)]
            case GraphOp.add, GraphOp.sub, GraphOp.mul, GraphOp.div, GraphOp.min, GraphOp.max:
                return [(dtype, broadcast(ins.map { $0?.shape }))]
            case GraphOp.greater:
                return [(.bool, broadcast(ins.map { $0?.shape }))]
            case GraphOp.cast:
                if case .dtype(let to)? = n.attributes["to"] { return [(to, shape)] }
                return [(dtype, shape)]
            case GraphOp.conv, GraphOp.maxPool:
                guard let s = shape, s.count == 4 else { return [(dtype, nil)] }
                let k = n.attributes["kernel_shape"]?.intsValue ?? [1, 1]
                let st = n.attributes["strides"]?.intsValue ?? [1, 1]
                let p = n.attributes["pads"]?.intsValue ?? [0, 0, 0, 0]
                let d = n.attributes["dilations"]?.intsValue ?? [1, 1]
                var channels = s[1]
                if n.op == GraphOp.conv, let w = ins.count > 1 ? ins[1]?.shape?.first : nil { channels = w }
                var out = [s[0], channels]
                for j in 0..<2 {
                    if let v = s[2 + j].value {
                        out.append(.fixed((v + p[j] + p[j + 2] - d[j] * (k[j] - 1) - 1) / st[j] + 1))
                    } else {
                        out.append(k[j] == 1 && st[j] == 1 && p[j] == 0 || (st[j] == 1 && p[j] + p[j + 2] == d[j] * (k[j] - 1))
                                   ? s[2 + j] : unknown())
                    }
                }
                return [(dtype, out)]
            case GraphOp.concat:
                let shapes = ins.map { $0?.shape }
                guard let first = shapes.first ?? nil else { return [(dtype, nil)] }
                let a = axis(n.attributes["axis"]?.intValue ?? 0, first.count)
                var out = first
                var total = 0, allFixed = true
                for s in shapes {
                    guard let s, s.count == first.count else { return [(dtype, nil)] }
                    if let v = s[a].value { total += v } else { allFixed = false }
                }
                out[a] = allFixed ? .fixed(total) : unknown()
                return [(dtype, out)]
            case GraphOp.split:
                guard let s = shape else { return n.outputs.map { _ in (dtype, nil) } }
                let a = axis(n.attributes["axis"]?.intValue ?? 0, s.count)
                let sizes = ints(n, 1, "split")
                return n.outputs.indices.map { k in
                    var o = s
                    o[a] = sizes.map { .fixed($0[k]) } ?? unknown()
                    return (dtype, o)
                }
            case GraphOp.resize, "Upsample":
                let scalesName = n.inputs.count > 2 ? n.inputs[2] : (n.inputs.count == 2 ? n.inputs[1] : "")
                guard let s = shape, let c = constants[scalesName], let scales = c.floatValues,
                      scales.count == s.count else { return [(dtype, nil)] }
                return [(dtype, zip(s, scales).map { d, f in
                    if f == 1 { return d }
                    return d.value.map { .fixed(Int((Float($0) * f).rounded(.down))) } ?? unknown()
                })]
            case GraphOp.reshape:
                guard let target = ints(n, 1, "shape") else { return [(dtype, nil)] }
                var out: [GraphDim] = target.enumerated().map { j, t in
                    if t == 0, let s = shape, j < s.count { return s[j] }
                    return t >= 0 ? .fixed(t) : .fixed(-1)
                }
                if let m = out.firstIndex(of: .fixed(-1)) {
                    let known = out.enumerated().filter { $0.offset != m }.map(\.element)
                    if let total = shape?.fixedValues?.reduce(1, *), let rest = known.fixedValues?.reduce(1, *), rest > 0 {
                        out[m] = .fixed(total / rest)
                    } else if let s = shape, let rest = known.fixedValues?.reduce(1, *),
                              case let symbols = s.filter({ $0.value == nil }), symbols.count == 1,
                              s.fixedValuesIgnoring(symbols[0]) == rest {
                        out[m] = symbols[0]
                    } else {
                        out[m] = unknown()
                    }
                }
                return [(dtype, out)]
            case GraphOp.transpose:
                guard let s = shape else { return [(dtype, nil)] }
                let perm = n.attributes["perm"]?.intsValue ?? Array((0..<s.count).reversed())
                return [(dtype, perm.map { s[$0] })]
            case GraphOp.slice:
                guard let s = shape, let starts = ints(n, 1, "starts"), let ends = ints(n, 2, "ends") else { return [(dtype, nil)] }
                let axes = ints(n, 3, "axes") ?? Array(0..<starts.count)
                var out = s
                for (j, a0) in axes.enumerated() {
                    let a = axis(a0, s.count)
                    guard let dim = s[a].value else {
                        out[a] = unknown()
                        continue
                    }
                    func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + dim : v, 0), dim) }
                    out[a] = .fixed(Swift.max(clamp(ends[j]) - clamp(starts[j]), 0))
                }
                return [(dtype, out)]
            case GraphOp.shape:
                return [(.int64, shape.map { [.fixed($0.count)] })]
            case GraphOp.gather:
                guard let s = shape, let idx = ins.count > 1 ? ins[1]?.shape : nil else { return [(dtype, nil)] }
                let a = axis(n.attributes["axis"]?.intValue ?? 0, s.count)
                return [(dtype, Array(s[..<a]) + idx + Array(s[(a + 1)...]))]
            case GraphOp.unsqueeze:
                guard var s = shape, let axes = ints(n, 1, "axes") else { return [(dtype, nil)] }
                let rank = s.count + axes.count
                for a in axes.map({ axis($0, rank) }).sorted() { s.insert(.fixed(1), at: a) }
                return [(dtype, s)]
            case GraphOp.squeeze:
                guard let s = shape else { return [(dtype, nil)] }
                let axes = Set(ints(n, 1, "axes")?.map { axis($0, s.count) }
                               ?? s.indices.filter { s[$0] == .fixed(1) })
                return [(dtype, s.indices.filter { !axes.contains($0) }.map { s[$0] })]
            case GraphOp.reduceMax, GraphOp.argMax:
                guard let s = shape else { return [(n.op == GraphOp.argMax ? .int64 : dtype, nil)] }
                let keep = (n.attributes["keepdims"]?.intValue ?? 1) != 0
                let axes = n.op == GraphOp.argMax ? [axis(n.attributes["axis"]?.intValue ?? 0, s.count)]
                    : (ints(n, 1, "axes")?.map { axis($0, s.count) } ?? Array(s.indices))
                let out = s.indices.compactMap { j -> GraphDim? in
                    axes.contains(j) ? (keep ? .fixed(1) : nil) : s[j]
                }
                return [(n.op == GraphOp.argMax ? .int64 : dtype, out)]
            case GraphOp.range:
                return [(x?.dtype ?? .int64, [unknown()])]
            case GraphOp.expand:
                guard let target = ins.count > 1 ? ins[1]?.shape?.first?.value : nil else { return [(dtype, nil)] }
                if let values = ints(n, 1, "shape") {
                    return [(dtype, broadcast([shape, values.map { .fixed($0) }]))]
                }
                return [(dtype, (0..<target).map { _ in unknown() })]
            case GraphOp.constantOfShape:
                var t: GraphDType = .float32
                if case .tensor(let v)? = n.attributes["value"] { t = v.dtype }
                if let values = ints(n, 0, "shape") { return [(t, values.map { .fixed($0) })] }
                guard let len = shape?.first?.value else { return [(t, nil)] }
                return [(t, (0..<len).map { _ in unknown() })]
            case GraphOp.nonZero:
                return [(.int64, shape.map { [.fixed($0.count), unknown()] })]
            case GraphOp.nonMaxSuppression:
                return [(.int64, [unknown(), .fixed(3)])]
            case GraphOp.pad:
                guard let s = shape, let pads = ints(n, 1, "pads") else {
                    return [(dtype, shape.map { $0.map { _ in unknown() } })]
                }
                return [(dtype, s.indices.map { j in
                    s[j].value.map { .fixed($0 + pads[j] + pads[j + s.count]) } ?? unknown()
                })]
            default:
                return n.outputs.map { _ in (dtype, nil) }
            }
        }

        /// Numpy broadcasting of the known shapes.
        mutating func broadcast(_ shapes: [[GraphDim]?]) -> [GraphDim]? {
            var out: [GraphDim] = []
            for s in shapes {
                guard let s else { return nil }
                let rank = Swift.max(out.count, s.count)
                let a = [GraphDim](repeating: .fixed(1), count: rank - out.count) + out
                let b = [GraphDim](repeating: .fixed(1), count: rank - s.count) + s
                out = zip(a, b).map { x, y in
                    if x == y || y == .fixed(1) { return x }
                    if x == .fixed(1) { return y }
                    if x.value != nil { return x }
                    if y.value != nil { return y }
                    return x
                }
            }
            return out
        }
    }
}

private extension Array where Element == GraphDim {
    /// Product of the fixed sizes when exactly the dimension `symbol` is symbolic.
    func fixedValuesIgnoring(_ symbol: GraphDim) -> Int? {
        var p = 1
        for d in self where d != symbol {
            guard let v = d.value else { return nil }
            p *= v
        }
        return p
    }
}
