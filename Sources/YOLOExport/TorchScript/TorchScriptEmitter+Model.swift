import Foundation
import YOLOModel

extension TorchScriptEmitter {
    /// The whole network as `PoseModel` (or `DetectionModel`): an `nn.Sequential` `model` of the layers, and a
    /// `forward(x)` that feeds each layer its `from` inputs and returns the head's decoded output.
    /// - Throws: `TorchScriptExportError.unsupportedLayer` for a layer type the generator does not know.
    func model(_ net: YOLONetwork, head options: HeadOptions, file: String) throws -> TorchScriptObject {
        var layers: [TorchScriptObject] = []
        for (i, layer) in net.model.items.enumerated() {
            let sources = net.sources[i]
            switch layer {
            case let l as DetectHead: layers.append(head(l, options: options))
            case let l as ConvBlock: layers.append(convBlock(l))
            case let l as C2f: layers.append(c2f(l))
            case let l as C2: layers.append(c2(l))
            case let l as Bottleneck: layers.append(bottleneck(l))
            case let l as SPPF: layers.append(sppf(l))
            case let l as Upsample: layers.append(upsample(l))
            case is Concat: layers.append(concat(count: sources.count))
            default:
                throw TorchScriptExportError.unsupportedLayer(file: file, layer: i, type: String(describing: type(of: layer)))
            }
        }
        let sequential = container("Sequential", layers)

        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("model = self.model")
        for i in layers.indices { f.line("m\(i) = getattr(model, \"\(i)\")") }
        for i in layers.indices {
            let inputs = net.sources[i].map { $0 < 0 ? "x" : "y\($0)" }
            f.line("y\(i) = (m\(i)).forward(\(inputs.map { "\($0), " }.joined()))")
        }
        f.line("return y\(layers.count - 1)")
        return object(module: "ultralytics.nn.tasks", name: net.kptShape == nil ? "DetectionModel" : "PoseModel",
                      submodules: [("model", sequential)], methods: [f])
    }
}
