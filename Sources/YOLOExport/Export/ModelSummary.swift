import Foundation
import YOLOModel
import YOLONN

/// The reference's one-line model summary of the fused export model:
/// `YOLOv8n-pose summary (fused): 81 layers, 3,289,964 parameters, 0 gradients, 2.3 GFLOPs`.
public struct ModelSummary: Sendable, Equatable {
    /// `YOLOv8n-pose` (definition stem with `yolo` → `YOLO`).
    public var name: String
    /// Leaf modules of the fused model (one shared SiLU; no BatchNorms).
    public var layers: Int
    /// Parameters after folding every BatchNorm into its convolution.
    public var parameters: Int
    /// Convolution FLOPs (2 × multiply-accumulates) for one image at the export size, in billions.
    public var gflops: Double

    /// Summarises `network` as fused, with FLOPs at `height`×`width`.
    public init(network: YOLONetwork, name: String, height: Int, width: Int) throws {
        self.name = name
        var layers = 0, parameters = 0, sharedSiLU = false
        for (_, m) in network.namedModules() {
            switch m {
            case let c as Conv2d:
                layers += 1
                parameters += c.weight.count + (c.bias?.count ?? 0)
            case let block as ConvBlock:
                if block.bn != nil && block.conv.bias == nil { parameters += block.conv.outChannels }
                if block.act { sharedSiLU = true } else { layers += 1 }     // nn.Identity per block
            case is SPPF, is Upsample, is Concat:
                layers += 1                                                 // SPPF's MaxPool2d
            case let head as DetectHead where head.dfl == nil:
                layers += 1                                                 // nn.Identity in place of DFL
            default:
                break
            }
        }
        self.layers = layers + (sharedSiLU ? 1 : 0)
        self.parameters = parameters
        var graph = try network.exportGraph(LoweringOptions(batch: 1, height: height, width: width))
        GraphShapeInference.run(&graph)
        gflops = ModelSummary.convolutionFLOPs(graph) / 1e9
    }

    /// 2 × Σ over Conv nodes of output elements × input channels per group × kernel area.
    public static func convolutionFLOPs(_ graph: ExportGraph) -> Double {
        var macs = 0.0
        for n in graph.nodes where n.op == GraphOp.conv {
            guard let out = graph.info(of: n.outputs[0])?.shape?.fixedValues,
                  let w = graph.info(of: n.inputs[1])?.shape?.fixedValues, w.count == 4 else { continue }
            macs += Double(out.reduce(1, *)) * Double(w[1] * w[2] * w[3])
        }
        return 2 * macs
    }

    /// The summary line.
    public var line: String {
        "\(name) summary (fused): \(ModelSummary.grouped(layers)) layers, \(ModelSummary.grouped(parameters)) parameters, 0 gradients, \(String(format: "%.1f", gflops)) GFLOPs"
    }

    /// `3,289,964`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
