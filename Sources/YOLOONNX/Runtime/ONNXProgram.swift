import Foundation
import YOLOTensor

/// An ONNX graph prepared for repeated evaluation on the tensor core.
///
/// Preparation, once at load:
/// * every node's op must have a kernel (else `ONNXReadError.unsupportedOp` naming the first such op);
/// * nodes whose inputs are all constants are evaluated and become constants (constant folding);
/// * `Conv → Sigmoid → Mul` (SiLU written as x·σ(x)) becomes one oneDNN convolution with a SiLU post-op, and a
///   following residual `Add` becomes the primitive's sum post-op;
/// * a `Concat` that re-joins all outputs of a `Split` along the same axis reads the Split's input instead;
/// * nodes nothing reads are dropped, and each intermediate is released after its last reader;
/// * steps whose outputs do not depend on the input *values* (shape arithmetic of dynamic exports: Shape, Gather,
///   Range, anchor grids, …) are marked; they run on the first evaluation at each input shape, and their outputs are
///   cached for that shape (`ONNXProgram+Run.swift`).
final class ONNXProgram {
    struct Step {
        var node: ONNXNode
        var kernel: Kernel
        /// Input tensor ids (−1 for an omitted optional input).
        var inputs: [Int]
        var outputs: [Int]
        /// Outputs something reads.
        var needed: [Bool] = []
        var conv: ConvPlan?
        /// Fused convolution: SiLU after the bias, then add tensor `residual`.
        var silu = false
        var residual: Int?
        /// Whether the outputs depend on the input's values (else only on its shape).
        var dependsOnInputValues = true
    }

    let file: String
    let opset: Int
    var steps: [Step] = []
    /// Tensor names by id.
    var names: [String] = []
    /// Constant values by tensor id (initializers and folded nodes).
    var constants: [ONNXValue?] = []
    private(set) var inputID = 0
    var outputIDs: [Int] = []
    /// Index of the last step reading each tensor (Int.max for graph outputs).
    var lastUse: [Int] = []
    /// Per input shape: outputs of the steps that depend only on the shape.
    var shapeCache: [[Int]: [(Int, ONNXValue)]] = [:]
    /// Per-op timing, when set.
    var profiler: ONNXProfiler? = ProcessInfo.processInfo.environment["YOLO_ONNX_PROFILE"] == "1" ? ONNXProfiler() : nil
    /// Fusions applied at load (for reports and tests).
    private(set) var fusedSiLU = 0, fusedResidual = 0, elidedSplits = 0, foldedNodes = 0

    init(graph: ONNXGraph, file: String) throws {
        self.file = file
        opset = graph.opset
        guard let input = graph.inputs.first else { throw ONNXReadError.notYOLO(file: file, reason: "the graph has no input") }
        var ids: [String: Int] = [:]
        func id(_ name: String) -> Int {
            if let i = ids[name] { return i }
            ids[name] = names.count
            names.append(name)
            constants.append(nil)
            return names.count - 1
        }
        for (name, value) in graph.initializers { constants[id(name)] = value }
        inputID = id(input.name)
        for other in graph.inputs.dropFirst() { _ = id(other.name) }
        // Kernels first, so an unsupported op is reported before anything else.
        let nodes = graph.topologicallySorted()
        var kernels: [Kernel] = []
        for n in nodes {
            guard let k = ONNXOperators.kernel(for: n) else {
                throw ONNXReadError.unsupportedOp(file: file, op: n.domain.isEmpty ? n.op : "\(n.domain).\(n.op)", node: n.label)
            }
            kernels.append(k)
        }
        var produced = Set(graph.initializers.keys).union(graph.inputs.map(\.name))
        for (n, kernel) in zip(nodes, kernels) {
            for t in n.inputs where !t.isEmpty && !produced.contains(t) {
                throw ONNXReadError.missingTensor(file: file, tensor: t, node: n.label)
            }
            try Self.validate(n, file: file)
            let step = Step(node: n, kernel: kernel, inputs: n.inputs.map { $0.isEmpty ? -1 : id($0) },
                            outputs: n.outputs.map { id($0) })
            produced.formUnion(n.outputs)
            if try fold(step) { continue }
            steps.append(step)
        }
        for o in graph.outputs {
            guard produced.contains(o.name) else { throw ONNXReadError.missingTensor(file: file, tensor: o.name, node: "graph output") }
            outputIDs.append(id(o.name))
        }
        try prepareConvolutions()
        fuseConvolutions()
        elideSplitConcats()
        dropDeadSteps()
        markInputDependence()
        computeLastUse()
    }

    /// Evaluates `step` now when all its inputs are constants; its outputs become constants.
    private func fold(_ step: Step) throws -> Bool {
        guard step.node.op != "Conv", step.inputs.allSatisfy({ $0 < 0 || constants[$0] != nil }) else { return false }
        let ctx = KernelContext(node: step.node, inputs: step.inputs.map { $0 < 0 ? nil : constants[$0] }, opset: opset,
                                needed: step.outputs.map { _ in true }, conv: nil)
        let outs: [ONNXValue]
        do { outs = try step.kernel(ctx) } catch {
            throw ONNXReadError.unsupportedNode(file: file, op: step.node.op, node: step.node.label,
                                               reason: "folding its constant inputs failed: \((error as? ONNXRuntimeError)?.message ?? "\(error)")")
        }
        for (k, o) in step.outputs.enumerated() where k < outs.count { constants[o] = outs[k] }
        foldedNodes += 1
        return true
    }

    /// Attribute forms the kernels implement (checked at load so the error names the node).
    static func validate(_ n: ONNXNode, file: String) throws {
        func reject(_ why: String) -> ONNXReadError { .unsupportedNode(file: file, op: n.op, node: n.label, reason: why) }
        switch n.op {
        case "Conv", "MaxPool":
            let pad = n.string("auto_pad") ?? "NOTSET"
            guard pad == "NOTSET" || pad == "VALID" else { throw reject("auto_pad=\(pad) is not supported") }
            if let p = n.ints("pads") {
                guard p.count == 4, p[0] == p[2], p[1] == p[3] else { throw reject("pads \(p): only symmetric 2-D padding is supported") }
            }
            if n.op == "MaxPool" {
                let k = n.ints("kernel_shape") ?? [], s = n.ints("strides") ?? [1, 1], p = n.ints("pads") ?? [0, 0, 0, 0]
                guard k.count == 2, k[0] == k[1], s.count == 2, s[0] == s[1], p.allSatisfy({ $0 == p[0] }),
                      (n.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }), n.int("ceil_mode", default: 0) == 0 else {
                    throw reject("only square kernels, equal strides, uniform padding, no dilation and floor mode are supported")
                }
                guard n.outputs.count < 2 || n.outputs[1].isEmpty else { throw reject("the Indices output is not supported") }
            }
        case "Resize":
            let mode = n.string("mode") ?? "nearest"
            let coords = n.string("coordinate_transformation_mode") ?? "half_pixel"
            let rounding = n.string("nearest_mode") ?? "round_prefer_floor"
            guard mode == "nearest", coords == "asymmetric", rounding == "floor" else {
                throw reject("mode=\(mode), coordinate_transformation_mode=\(coords), nearest_mode=\(rounding); only nearest/asymmetric/floor (Ultralytics' upsample) is supported")
            }
        default:
            break
        }
    }

    /// Conv weights and biases must be constants; they are shaped into OIHW tensors once.
    private func prepareConvolutions() throws {
        for i in steps.indices where steps[i].node.op == "Conv" {
            let n = steps[i].node
            func reject(_ why: String) -> ONNXReadError { .unsupportedNode(file: file, op: n.op, node: n.label, reason: why) }
            guard steps[i].inputs.count >= 2, steps[i].inputs[1] >= 0, let w = constants[steps[i].inputs[1]], w.rank == 4,
                  w.elementType == .float else { throw reject("weights must be a constant 4-D float tensor (2-D convolution)") }
            let weight = Tensor(shape: w.shape, values: try w.floatArray())
            var bias: Tensor?
            if steps[i].inputs.count > 2, steps[i].inputs[2] >= 0 {
                guard let b = constants[steps[i].inputs[2]], b.count == w.shape[0] else { throw reject("bias must be a constant of \(w.shape[0]) values") }
                bias = Tensor(shape: [w.shape[0]], values: try b.floatArray())
            }
            if let k = n.ints("kernel_shape"), k != [w.shape[2], w.shape[3]] { throw reject("kernel_shape \(k) does not match weights \(w.shape)") }
            let s = n.ints("strides") ?? [1, 1], d = n.ints("dilations") ?? [1, 1], p = n.ints("pads") ?? [0, 0, 0, 0]
            guard s.count == 2, d.count == 2 else { throw reject("only 2-D convolutions are supported") }
            steps[i].conv = ConvPlan(weight: weight, bias: bias, stride: (s[0], s[1]), padding: (p[0], p[1]),
                                     dilation: (d[0], d[1]), groups: n.int("group", default: 1))
            steps[i].inputs = [steps[i].inputs[0]]
        }
    }

    /// Readers of each tensor (step indices; graph outputs add a reader at Int.max).
    private func consumers() -> [Int: [Int]] {
        var c: [Int: [Int]] = [:]
        for (i, s) in steps.enumerated() {
            for t in s.inputs where t >= 0 { c[t, default: []].append(i) }
            if let r = s.residual { c[r, default: []].append(i) }
        }
        for o in outputIDs { c[o, default: []].append(Int.max) }
        return c
    }

    private func fuseConvolutions() {
        let readers = consumers()
        var producer: [Int: Int] = [:]
        for (i, s) in steps.enumerated() { for o in s.outputs { producer[o] = i } }
        var removed = Set<Int>()
        for ci in steps.indices where steps[ci].conv != nil {
            let y = steps[ci].outputs[0]
            guard let r = readers[y], r.count == 2, !r.contains(Int.max) else { continue }
            let pair = r.map { steps[$0] }
            guard let si = r.first(where: { steps[$0].node.op == "Sigmoid" }), let mi = r.first(where: { steps[$0].node.op == "Mul" }),
                  pair.count == 2, steps[si].inputs == [y] else { continue }
            let s = steps[si].outputs[0]
            guard Set(steps[mi].inputs) == Set([y, s]), steps[mi].inputs.count == 2, readers[s] == [mi] else { continue }
            var out = steps[mi].outputs[0]
            removed.formUnion([si, mi])
            fusedSiLU += 1
            // Residual: the SiLU output's only reader is an Add whose other operand exists before the conv runs.
            if let ar = readers[out], ar.count == 1, ar[0] != Int.max, steps[ar[0]].node.op == "Add", steps[ar[0]].inputs.count == 2 {
                let ai = ar[0]
                let other = steps[ai].inputs[0] == out ? steps[ai].inputs[1] : steps[ai].inputs[0]
                if other != out, other >= 0, (producer[other].map { $0 < ci } ?? true), constants[other] == nil {
                    steps[ci].residual = other
                    removed.insert(ai)
                    out = steps[ai].outputs[0]
                    fusedResidual += 1
                }
            }
            steps[ci].silu = true
            steps[ci].outputs = [out]
            steps[ci].node.name += " (+SiLU\(steps[ci].residual != nil ? "+Add" : ""))"
        }
        steps = steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// Concat(…, Split(x)[0], Split(x)[1], …) along the split axis → Concat(…, x, …).
    private func elideSplitConcats() {
        var splitOf: [Int: (step: Int, index: Int)] = [:]
        for (i, s) in steps.enumerated() where s.node.op == "Split" {
            for (k, o) in s.outputs.enumerated() { splitOf[o] = (i, k) }
        }
        for ci in steps.indices where steps[ci].node.op == "Concat" {
            let axis = steps[ci].node.int("axis")
            var inputs = steps[ci].inputs
            var j = 0
            while j < inputs.count {
                if let (si, k) = splitOf[inputs[j]], k == 0, steps[si].node.int("axis", default: 0) == axis {
                    let outs = steps[si].outputs
                    if j + outs.count <= inputs.count, Array(inputs[j..<j + outs.count]) == outs {
                        inputs.replaceSubrange(j..<j + outs.count, with: [steps[si].inputs[0]])
                        elidedSplits += 1
                    }
                }
                j += 1
            }
            steps[ci].inputs = inputs
        }
    }

    /// Marks needed outputs and removes steps none of whose outputs are read.
    private func dropDeadSteps() {
        while true {
            let readers = consumers()
            var changed = false
            steps = steps.filter { s in
                let alive = s.outputs.contains { readers[$0] != nil }
                if !alive { changed = true }
                return alive
            }
            if !changed { break }
        }
        let readers = consumers()
        for i in steps.indices { steps[i].needed = steps[i].outputs.map { readers[$0] != nil } }
    }

    private func markInputDependence() {
        var dep = [(value: Bool, shape: Bool)](repeating: (false, false), count: names.count)
        dep[inputID] = (true, false)
        for i in steps.indices {
            var ins = steps[i].inputs.map { $0 < 0 ? (value: false, shape: false) : dep[$0] }
            if let r = steps[i].residual { ins.append(dep[r]) }
            let d: (value: Bool, shape: Bool) = steps[i].conv != nil ? (ins[0].value, ins[0].shape) : ONNXOperators.dependence(op: steps[i].node.op, inputs: ins)
            for o in steps[i].outputs { dep[o] = d }
            steps[i].dependsOnInputValues = d.value
        }
    }

    private func computeLastUse() {
        lastUse = [Int](repeating: -1, count: names.count)
        for (i, s) in steps.enumerated() {
            for t in s.inputs where t >= 0 { lastUse[t] = i }
            if let r = s.residual { lastUse[r] = i }
        }
        for o in outputIDs { lastUse[o] = Int.max }
    }
}
