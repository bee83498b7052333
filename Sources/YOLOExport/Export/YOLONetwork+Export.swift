import Foundation
import YOLOModel

extension YOLONetwork {
    /// Exports the network like `YOLO(path).export(format=…)`: the artefact goes beside the weights it was loaded
    /// from (`sourcePath`; a YAML-built or in-memory network writes `<definition stem><suffix>` into the current
    /// folder), with the reference's argument handling. Console lines go to `log` (silent by default).
    ///
    /// ```swift
    /// let net = try YOLONetwork.load("n.pt")
    /// let url = try net.export(format: "onnx", imgsz: [480, 640], dynamic: true)
    /// ```
    /// - Returns: the artefact's URL.
    /// - Throws: `ExportError`.
    @discardableResult
    public func export(format: String = "onnx", imgsz: [Int]? = nil, batch: Int = 1, dynamic: Bool = false,
                       simplify: Bool = true, opset: Int? = nil, quantize: ExportQuantize? = nil, nms: Bool? = nil,
                       conf: Double? = nil, iou: Double = 0.7, maxDet: Int = 300, log: ExportLog = .silent) throws -> URL {
        var args = ExportArguments(format: format)
        args.imgsz = imgsz
        args.batch = batch
        args.dynamic = dynamic
        args.simplify = simplify
        args.opset = opset
        args.quantize = quantize
        args.nms = nms
        args.conf = conf
        args.iou = iou
        args.maxDet = maxDet
        return try export(args, log: log)
    }

    /// Exports with a full argument set (see `ExportArguments`).
    @discardableResult
    public func export(_ arguments: ExportArguments, log: ExportLog = .silent) throws -> URL {
        let path = sourcePath ?? ((config.source as NSString).lastPathComponent as NSString).deletingPathExtension + ".yaml"
        return try Exporter(arguments: arguments, log: log).run(network: self, modelPath: path).url
    }
}
