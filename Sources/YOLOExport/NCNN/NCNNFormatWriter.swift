import Foundation

/// `format=ncnn`: the folder `<stem>_ncnn_model/` beside the weights with `model.ncnn.param`, `model.ncnn.bin`,
/// `model_ncnn.py` (a self-test that runs the pair) and `metadata.yaml`, laid out as the reference's PNNX-based
/// export (spec export.md §7.1): blobs `in0` → `out0`, `Convolution` (bias inside) + `Swish`, C2f splits as `Slice`,
/// `Split` for shared blobs, and the head decode in the graph (`Reshape`/`Permute`/`Softmax`/DFL `Convolution`,
/// `MemoryData` anchor and stride tables, `BinaryOp`s, `Sigmoid`s, `Concat`). `quantize=16` stores convolution
/// weights as float16. ncnn blobs have no batch axis, so the graph is always lowered for one image (a `batch=N`
/// export still records `batch: N` in the metadata, as the reference does).
public struct NCNNFormatWriter: ExportFormatWriter {
    public let format = "ncnn"
    /// The ncnn release whose format the writer targets and whose runtime the tests run it with.
    public static let ncnnVersion = "1.0.20261020"
    /// Blob names of the reference's param file.
    public static let inputBlob = "in0"
    public static let outputBlob = "out0"

    public init() {}

    public func export(_ job: ExportJob) throws -> ExportArtifact {
        let prefix = ExportLog.prefix("NCNN")
        job.log.info("")
        job.log.info("\(prefix) starting export with NCNN \(Self.ncnnVersion) and the built-in converter...")
        let model = try Self.model(job)
        let param = Data(model.paramText.utf8)
        let bin = Data(model.binBytes)
        let script = Data(NCNNSelfTest.script(folder: job.destination.lastPathComponent,
                                              input: job.imageSize, channels: job.network.config.channels).utf8)
        let yaml = Data(job.metadata.yaml.utf8)
        try AtomicArtifact.writeFolder(to: job.destination) { folder in
            for (name, data) in [("model.ncnn.bin", bin), ("model.ncnn.param", param), ("model_ncnn.py", script),
                                 ("metadata.yaml", yaml)] {
                do {
                    try data.write(to: folder.appendingPathComponent(name))
                } catch {
                    throw ExportError.writeFailed(file: job.destination.appendingPathComponent(name).path,
                                                  reason: error.localizedDescription)
                }
            }
        }
        return ExportArtifact(url: job.destination, displayPath: job.displayPath(suffix: job.format.suffix))
    }

    /// The converted model: the graph lowered for batch 1, static, SiLU fused (`Swish`), simplified.
    static func model(_ job: ExportJob) throws -> NCNNModel {
        var options = job.loweringOptions
        options.batch = 1
        options.dynamic = false
        options.nms = nil
        options.fusedSiLU = true
        var graph = try job.network.exportGraph(options)
        try GraphPassPipeline.simplify.run(&graph)
        var converter = try NCNNConverter(graph: graph, halfWeights: job.arguments.quantize == .fp16)
        return try converter.convert(inputName: inputBlob, outputName: outputBlob)
    }
}
