import Foundation
import YOLOTensor

extension ONNXProgram {
    /// Input shapes whose shape-only results are kept (dynamic exports see a few letterbox shapes).
    static let shapeCacheLimit = 32

    /// Evaluates the graph on `input` (the first graph input) and returns the graph outputs in order.
    ///
    /// On the first evaluation at an input shape every step runs and the outputs of the shape-only steps are cached;
    /// later evaluations at that shape start from the cache and run only the steps that read the input's values.
    func run(_ input: ONNXValue) throws -> [ONNXValue] {
        var env = constants
        env[inputID] = input
        let cached = shapeCache[input.shape]
        if let cached { for (id, v) in cached { env[id] = v } }
        var record: [(Int, ONNXValue)] = []
        try withNoGrad {
            for (i, step) in steps.enumerated() {
                if cached != nil && !step.dependsOnInputValues { continue }
                let t0 = profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
                let outs = try execute(step, env)
                if let p = profiler { p.add(step, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
                for (k, id) in step.outputs.enumerated() where k < outs.count && step.needed[k] {
                    env[id] = outs[k]
                    if cached == nil && !step.dependsOnInputValues { record.append((id, outs[k])) }
                }
                for t in step.inputs where t >= 0 && lastUse[t] == i && constants[t] == nil { env[t] = nil }
                if let r = step.residual, lastUse[r] == i, constants[r] == nil { env[r] = nil }
            }
        }
        if cached == nil {
            if shapeCache.count >= Self.shapeCacheLimit { shapeCache.removeAll() }
            shapeCache[input.shape] = record
        }
        return try outputIDs.map { id in
            guard let v = env[id] else { throw ONNXRuntimeError(file: file, node: "graph output", op: "", message: "output '\(names[id])' was not computed") }
            return v
        }
    }

    private func execute(_ step: Step, _ env: [ONNXValue?]) throws -> [ONNXValue] {
        do {
            let inputs = try step.inputs.map { t -> ONNXValue? in
                guard t >= 0 else { return nil }
                guard let v = env[t] else { throw kernelError("input '\(names[t])' is not available") }
                return v
            }
            if let plan = step.conv, step.silu || step.residual != nil {
                let residual = try step.residual.map { r -> ONNXValue in
                    guard let v = env[r] else { throw kernelError("residual '\(names[r])' is not available") }
                    return v
                }
                guard let x = inputs.first ?? nil else { throw kernelError("input 0 is missing") }
                return [try SpatialKernels.conv(x, plan, silu: step.silu, residual: residual)]
            }
            return try step.kernel(KernelContext(node: step.node, inputs: inputs, opset: opset, needed: step.needed, conv: step.conv))
        } catch var e as ONNXRuntimeError {
            e.file = file
            e.node = step.node.label
            e.op = step.node.op
            throw e
        }
    }

    /// A one-line summary of the prepared program (steps, fusions, folded nodes).
    var summary: String {
        let ops = Dictionary(grouping: steps, by: { $0.conv != nil && $0.silu ? "Conv+SiLU" : $0.node.op }).mapValues(\.count)
        let list = ops.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }
        return "\(steps.count) steps (\(list.joined(separator: ", "))); fused \(fusedSiLU) SiLU, \(fusedResidual) residual adds; "
            + "\(elidedSplits) split/concat pairs joined; \(foldedNodes) constant nodes folded"
    }
}
