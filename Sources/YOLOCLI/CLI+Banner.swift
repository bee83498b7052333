import Foundation
import YOLOEngine
import YOLOModel

extension CLI {
    /// The setup line, in the spirit of Ultralytics' `Ultralytics 8.4.190 🚀 Python-… torch-… CPU (…)`.
    static func banner() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        return "YOLOv8-pose Swift \(CLI.version) 🚀 oneDNN 2.6, \(ProcessInfo.processInfo.activeProcessorCount) threads CPU (\(cpu))"
    }

    /// `<stem> summary (fused): N parameters, L layers` for a loaded (fused) network.
    static func modelSummary(_ modelName: String, _ net: YOLONetwork) -> String {
        let stem = ((modelName as NSString).lastPathComponent as NSString).deletingPathExtension
        return "\(stem) summary\(net.isFused ? " (fused)" : ""): \(net.parameterCount.formatted()) parameters, \(net.model.count) layers"
    }
}
