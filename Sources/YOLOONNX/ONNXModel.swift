import Foundation
import ONNXProto
import SwiftProtobuf
import YOLOEngine
import YOLOTensor

/// An ONNX export of a YOLO pose (or detect) model — Ultralytics' or ours — evaluated on this package's tensor core
/// (oneDNN convolutions on channels-last activations; see `ONNXProgram`).
///
/// `ONNXModel(contentsOf:)` parses the protobuf, decodes the Ultralytics `metadata_props` (`ONNXMetadata`), checks
/// that every op is supported and prepares the program; a static-shape export is then run once on zeros at its
/// input size (warm-up: oneDNN primitives and shape-only results are made at load). As an `InferenceBackend` it gives
/// predict and val the reference's preprocessing for the file type: a static export is letterboxed to its fixed
/// input with `auto=False` and validated at its export batch without rect batches; a dynamic one like a `.pt`; an
/// `nms=True` export's rows are used directly (no second NMS).
public final class ONNXModel: InferenceBackend {
    /// The path as given.
    public let path: String
    public let metadata: ONNXMetadata
    public let task: String
    public let names: [Int: String]
    public let nc: Int
    public let kptShape: [Int]?
    public let maxStride: Int
    /// Dimensions of the graph input (NCHW) and first output; nil for symbolic ones.
    public let inputDims: [Int?]
    public let outputDims: [Int?]
    /// Opset of the default domain.
    public var opset: Int { program.opset }
    let program: ONNXProgram

    /// Loads and prepares `path`.
    /// - Throws: `ONNXReadError` (one line naming the file) for an unreadable or malformed file, a graph that is not
    ///   a YOLO export, or an unsupported op; `ONNXRuntimeError` when the warm-up evaluation fails.
    public init(contentsOf path: String) throws {
        self.path = path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ONNXReadError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        let proto: Onnx_ModelProto
        do { proto = try Onnx_ModelProto(serializedBytes: data) } catch BinaryDecodingError.truncated {
            throw ONNXReadError.malformed(file: path, reason: "the protobuf ends mid-message: the file is truncated")
        } catch {
            throw ONNXReadError.malformed(file: path, reason: "the protobuf does not parse: \(error)")
        }
        guard proto.hasGraph else { throw ONNXReadError.malformed(file: path, reason: "no graph in the model") }
        do {
            metadata = try ONNXMetadata(entries: proto.metadataProps.map { ($0.key, $0.value) })
        } catch let e as ONNXMetadata.MetadataError {
            throw ONNXReadError.notYOLO(file: path, reason: "metadata '\(e.key)' is not a Python literal: \(e.value.prefix(80))")
        }
        guard metadata.task != nil || metadata.kptShape != nil || !metadata.names.isEmpty else {
            throw ONNXReadError.notYOLO(file: path, reason: "no Ultralytics metadata_props (task, names, kpt_shape, imgsz)")
        }
        let graph = try ONNXGraph(model: proto, file: path)
        task = metadata.task ?? (metadata.kptShape != nil ? "pose" : "detect")
        guard task == "pose" || task == "detect" else {
            throw ONNXReadError.notYOLO(file: path, reason: "task '\(task)'; this build runs pose and detect exports")
        }
        kptShape = task == "pose" ? metadata.kptShape : nil
        if task == "pose" && kptShape == nil { throw ONNXReadError.notYOLO(file: path, reason: "a pose export without 'kpt_shape' metadata") }
        guard let input = graph.inputs.first, input.dims.count == 4 else {
            throw ONNXReadError.notYOLO(file: path, reason: "the graph input is not a 4-D image batch")
        }
        guard input.elementType == 1 else {
            throw ONNXReadError.notYOLO(file: path, reason: "the graph input has element type \(input.elementType); float32 inputs are supported")
        }
        guard input.dims[1] == nil || input.dims[1] == metadata.channels else {
            throw ONNXReadError.notYOLO(file: path, reason: "input has \(input.dims[1]!) channels, metadata says \(metadata.channels)")
        }
        guard let output = graph.outputs.first, output.dims.count == 3 else {
            throw ONNXReadError.notYOLO(file: path, reason: "the first output is not 3-D [batch, channels, anchors]")
        }
        inputDims = input.dims
        outputDims = output.dims
        let extra = kptShape.map { $0[0] * $0[1] } ?? 0
        if !metadata.names.isEmpty {
            names = metadata.names
        } else if let c = output.dims[1], !metadata.endToEnd {
            names = Dictionary(uniqueKeysWithValues: (0..<max(c - 4 - extra, 0)).map { ($0, "class\($0)") })
        } else {
            throw ONNXReadError.notYOLO(file: path, reason: "no class names in the metadata")
        }
        nc = names.count
        if metadata.endToEnd, let w = output.dims[2], w != 6 + extra {
            throw ONNXReadError.notYOLO(file: path, reason: "nms=True output rows have \(w) values, expected \(6 + extra)")
        }
        if !metadata.endToEnd, let c = output.dims[1], c != 4 + nc + extra {
            throw ONNXReadError.notYOLO(file: path, reason: "output has \(c) channels, expected 4 + \(nc) classes + \(extra) keypoint values")
        }
        maxStride = metadata.stride ?? 32
        program = try ONNXProgram(graph: graph, file: path)
        if let size = fixedInputSize {
            _ = try forward(Tensor(shape: [exportBatch ?? 1, size.height, size.width, metadata.channels], repeating: 0))
        }
    }

    /// `ONNXModel(contentsOf:)`, checking the task when one is requested.
    public static func load(_ path: String, task: String? = nil) throws -> ONNXModel {
        let m = try ONNXModel(contentsOf: path)
        if let task, task != m.task {
            throw ONNXReadError.notYOLO(file: path, reason: "this is a '\(m.task)' export, but task '\(task)' was requested")
        }
        return m
    }

    /// Whether the export takes any input size (`dynamic=True`).
    public var isDynamic: Bool { metadata.dynamic }

    public var defaultImgsz: [Int]? { isDynamic ? nil : metadata.imgsz }

    public var fixedInputSize: (height: Int, width: Int)? {
        guard !isDynamic else { return nil }
        if let s = metadata.imgsz, s.count == 2 { return (s[0], s[1]) }
        if let h = inputDims[2], let w = inputDims[3] { return (h, w) }
        return nil
    }

    public var exportBatch: Int? { isDynamic ? nil : (inputDims[0] ?? metadata.batch) }

    public var isEndToEnd: Bool { metadata.endToEnd }

    public func prepareForInference() {}

    /// Per-op wall times of the evaluations since it was set (nil: not timed; `YOLO_ONNX_PROFILE=1` sets one).
    public var profiler: ONNXProfiler? {
        get { program.profiler }
        set { program.profiler = newValue }
    }

    /// One line describing the prepared program (steps by op, fusions, folding).
    public var programSummary: String { program.summary }

    /// Runs NHWC RGB images in [0, 1] through the graph. Batches larger than a static (or NMS-unrolled) export
    /// batch are split into chunks, and a short chunk is zero-padded to the export batch with the padding rows
    /// dropped from the output, as Ultralytics' backend does.
    public func forward(_ images: Tensor) throws -> Tensor {
        precondition(images.rank == 4, "ONNXModel.forward: images \(images.shape) must be NHWC")
        let n = images.shape[0]
        let chunk = inputDims[0] ?? (isEndToEnd ? metadata.batch : nil)
        guard let chunk, chunk > 0, n != chunk else { return try output(program.run(ONNXValue(nhwc: images))[0]) }
        let per = images.count / max(n, 1)
        var parts: [Tensor] = []
        var start = 0
        while start < n {
            let take = min(chunk, n - start)
            let batch = Tensor(shape: [chunk] + images.shape.dropFirst(), repeating: 0)
            batch.pointer.update(from: images.pointer + start * per, count: take * per)
            let y = try output(program.run(ONNXValue(nhwc: batch))[0])
            parts.append(take == chunk ? y : y.rowsPrefix(take))
            start += take
        }
        return Tensor.concatRows(parts)
    }

    /// Runs an NCHW float tensor (the ONNX input layout) through the graph and returns the first output as-is.
    public func forwardNCHW(_ input: Tensor) throws -> Tensor {
        try output(program.run(ONNXValue(shape: input.shape, plain: input))[0])
    }

    private func output(_ v: ONNXValue) throws -> Tensor {
        let t = try v.plain()
        if t.shape == v.shape { return t }
        let out = Tensor(uninitializedShape: v.shape)
        out.pointer.update(from: t.pointer, count: v.count)
        return out
    }
}

extension Tensor {
    /// The first `n` entries of the outermost axis (a copy).
    func rowsPrefix(_ n: Int) -> Tensor {
        let out = Tensor(uninitializedShape: [n] + shape.dropFirst())
        out.pointer.update(from: pointer, count: out.count)
        return out
    }

    /// Stacks tensors of equal trailing shape along the outermost axis.
    static func concatRows(_ parts: [Tensor]) -> Tensor {
        guard parts.count > 1 else { return parts[0] }
        let out = Tensor(uninitializedShape: [parts.reduce(0) { $0 + $1.shape[0] }] + parts[0].shape.dropFirst())
        var offset = 0
        for p in parts {
            (out.pointer + offset).update(from: p.pointer, count: p.count)
            offset += p.count
        }
        return out
    }
}
