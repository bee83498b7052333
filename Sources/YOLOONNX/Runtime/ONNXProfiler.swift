import Foundation

/// Wall time per op type over evaluations (`YOLO_ONNX_PROFILE=1`, or set `ONNXModel.profiler`), for finding where
/// an exported graph spends its time compared with the network's own forward.
public final class ONNXProfiler {
    private var totals: [String: (ms: Double, calls: Int)] = [:]
    public init() {}

    func add(_ step: ONNXProgram.Step, _ ms: Double) {
        let key = step.conv != nil ? (step.silu ? (step.residual != nil ? "Conv+SiLU+Add" : "Conv+SiLU") : "Conv") : step.node.op
        totals[key, default: (0, 0)].ms += ms
        totals[key, default: (0, 0)].calls += 1
    }

    /// One line per op type, most expensive first.
    public var report: [String] {
        totals.sorted { $0.value.ms > $1.value.ms }.map { String(format: "%-16@ %9.2f ms  %6d calls", $0.key, $0.value.ms, $0.value.calls) }
    }

    public func reset() { totals.removeAll() }
}
