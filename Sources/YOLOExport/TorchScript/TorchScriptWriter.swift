import Foundation
import YOLOFormats
import YOLOModel

/// Exports a `YOLONetwork` to a TorchScript archive that `torch.jit.load` compiles and runs, without Python:
/// the network's modules become generated TorchScript classes (fused Conv2d weights as parameters, the head's
/// decode in code), and `extra/config.txt` holds the metadata JSON Ultralytics writes. `forward(images)` takes
/// `[N, 3, H, W]` float32 RGB in [0, 1] and returns the decoded `[N, 4 + nc + K·D, anchors]` tensor (or, with
/// `nms`, `[N, max_det, 6 + K·D]` detections), like `yolo export format=torchscript` of Ultralytics 8.4.190.
public enum TorchScriptWriter {
    /// `<stem>.torchscript` beside the weights file.
    public static func outputURL(forWeights weights: URL) -> URL {
        weights.deletingPathExtension().appendingPathExtension("torchscript")
    }

    /// Writes the archive to `url` atomically (temporary file, fsync, rename).
    /// - Parameters:
    ///   - network: fused or not (BatchNorm is folded into the exported weights either way; the network is not changed).
    ///   - metadata: written as `extra/config.txt`; nil builds the reference's metadata for `options`
    ///     (without `kpt_names`; pass a metadata built with them when the checkpoint has them).
    ///   - extraFiles: further `extra/<name>` entries.
    /// - Throws: `TorchScriptExportError` for unsupported options or layers; `CheckpointError.writeFailed` on I/O errors.
    public static func write(network: YOLONetwork, options: TorchScriptExportOptions, metadata: TorchScriptMetadata? = nil,
                             extraFiles: [(name: String, payload: Data)] = [], to url: URL) throws {
        let file = url.lastPathComponent
        let built = try archive(network: network, options: options, metadata: metadata, extraFiles: extraFiles, file: file)
        try AtomicFile.write(to: url) { sink in
            try built.write(to: sink, archiveName: TorchSave.archiveName(for: url), fileName: file)
        }
    }

    /// `write(network:options:…)` with only size and batch (static, no NMS, FP32).
    public static func write(network: YOLONetwork, imgsz: (Int, Int), batch: Int = 1, metadata: TorchScriptMetadata? = nil,
                             to url: URL) throws {
        try write(network: network, options: TorchScriptExportOptions(imgsz: [imgsz.0, imgsz.1], batch: batch),
                  metadata: metadata, to: url)
    }

    /// The archive's records, in memory. `file` names the output in errors.
    public static func archive(network: YOLONetwork, options: TorchScriptExportOptions, metadata: TorchScriptMetadata? = nil,
                               extraFiles: [(name: String, payload: Data)] = [], file: String = "model.torchscript") throws -> TorchScriptArchive {
        let stride = Int(network.stride.max() ?? 32)
        try options.validate(stride: stride, file: file)
        let nms = options.nms == true
        let emitter = TorchScriptEmitter()
        var root = try emitter.model(network, head: .init(imgsz: options.size, dynamic: options.dynamic, xyxy: nms), file: file)
        if nms {
            root = emitter.nms(wrapping: root, classes: network.nc, channels: network.head.outputChannels,
                               options: .init(conf: options.conf ?? 0.25, iou: options.iou, maxDet: options.maxDet,
                                              agnostic: options.agnosticNMS))
        }
        let config = (metadata ?? TorchScriptMetadata(network: network, options: options)).json
        return TorchScriptArchive(root: root, constants: emitter.constants, code: emitter.classes.codeFiles(),
                                  extraFiles: [("config.txt", Data(config.utf8))] + extraFiles)
    }
}
