import YOLOModel
import YOLONN

extension YOLONetwork {
    /// Lowers the network into the format-neutral export graph: input `images` `[b, channels, h, w]` (NCHW, RGB,
    /// 0…1), output `output0` `[b, 4 + nc + K·D, anchors]` with the decode inside the graph, or `[b, maxDet, 6 + K·D]`
    /// with `options.nms`. BatchNorms are folded on the fly, so the network need not be fused and is not modified.
    ///
    /// - Throws: `ExportError.unsupportedLayer` for a layer type without a lowering, `ExportError.invalidArgument`
    ///   for an image size that is not a multiple of the strides.
    public func exportGraph(_ options: LoweringOptions) throws -> ExportGraph {
        let b = GraphBuilder()
        let context = LoweringContext(builder: b, options: options)
        let dyn = options.dynamic
        let input = b.addInput(options.inputName, .float32, [
            dyn ? .symbolic("batch") : .fixed(options.batch), .fixed(config.channels),
            dyn ? .symbolic("height") : .fixed(options.height), dyn ? .symbolic("width") : .fixed(options.width),
        ])
        var outputs = [String?](repeating: nil, count: model.count)
        var last = input
        var decoded: String?
        for (i, layer) in model.items.enumerated() {
            let inputs = sources[i].map { $0 == i - 1 ? last : outputs[$0]! }
            let path = "model.\(i)"
            if i == model.count - 1 {
                guard let head = layer as? DetectHead else {
                    throw ExportError.unsupportedLayer(path: path, type: "\(type(of: layer)) as the last layer")
                }
                decoded = try b.withScope(path) {
                    try head.lower(inputs, in: context, parameterPath: path, xyxy: options.nms != nil)
                }
                break
            }
            guard let lowerable = layer as? GraphLowerable else {
                throw ExportError.unsupportedLayer(path: path, type: "\(type(of: layer))")
            }
            last = try b.withScope(path) { try lowerable.lower(inputs, in: context, parameterPath: path) }
            if save.contains(i) { outputs[i] = last }
        }
        guard var out = decoded else { throw ExportError.unsupportedLayer(path: "model", type: "network without a head") }
        let batchDim: GraphDim = dyn ? .symbolic("batch") : .fixed(options.batch)
        let shape: [GraphDim]
        if let nms = options.nms {
            out = try b.withScope("nms") { try lowerNMS(out, image: input, options: nms, in: context) }
            shape = [batchDim, .fixed(nms.maxDet), .fixed(6 + head.keypointValues)]
        } else {
            let anchors = try head.anchorTotal(options)
            shape = [batchDim, .fixed(head.outputChannels), dyn ? .symbolic("anchors") : .fixed(anchors)]
        }
        b.addOutput(out, as: options.outputName, dtype: .float32, shape: shape)
        return b.graph
    }
}
