import Foundation
import YOLOModel

/// The result of an export.
public struct ExportResult: Sendable, Equatable {
    /// The artefact (file or folder).
    public var url: URL
    /// The path as printed (`n.onnx`), relative as the model path was given.
    public var displayPath: String
    /// The resolved format.
    public var format: ExportFormat
}

/// The export pipeline shared by every format (spec export.md §1.5), with the reference's console output (§8):
/// format resolution, banner, argument validation and warnings, fused summary, `PyTorch:` line, the format's
/// writer, `export success ✅`/`export failure`, and the closing summary with predict/val hints.
public struct Exporter {
    public var arguments: ExportArguments
    public var log: ExportLog
    /// The setup line printed once the format is known (the CLI passes its banner; nil prints nothing).
    public var banner: String?

    public init(arguments: ExportArguments, log: ExportLog = ExportLog(), banner: String? = nil) {
        self.arguments = arguments
        self.log = log
        self.banner = banner
    }

    /// Exports `network`, whose weights were loaded from `modelPath` as the user gave it (a `.pt`/`.safetensors`
    /// path: the artefact goes beside it; a model `.yaml`: the artefact goes into the current folder).
    ///
    /// - Throws: `ExportError` (printed as the reference prints it where the failure happens in a format step).
    @discardableResult
    public func run(network: YOLONetwork, modelPath: String) throws -> ExportResult {
        let start = Date()
        var args = arguments
        let (format, requested) = try ExportFormat.resolve(args.format, warn: log.warning)
        args.format = requested
        if let banner { log.info(banner) }
        try ExportValidation.validate(&args, format: format, network: network, log: log)
        guard let writer = ExportFormatRegistry.writer(for: format.name) else {
            throw ExportError.formatNotImplemented(format: format.name, displayName: format.displayName)
        }
        let imageSize = try ExportValidation.imageSize(args.imgsz, network: network, log: log)
        args.imgsz = imageSize
        try ExportValidation.adjust(&args, format: format, network: network, log: log)

        // Names and places.
        let isDefinition = ["yaml", "yml"].contains((modelPath as NSString).pathExtension.lowercased())
        let displayModel = isDefinition ? (modelPath as NSString).lastPathComponent : ExportPaths.pythonPath(modelPath)
        let modelURL = URL(fileURLWithPath: displayModel)
        let stem = modelURL.deletingPathExtension().lastPathComponent
        let destination = modelURL.deletingLastPathComponent().appendingPathComponent(stem + format.suffix)

        let summary = try ModelSummary(network: network, name: ExportMetadata.prettyName(network, sourceStem: stem),
                                       height: imageSize[0], width: imageSize[1])
        log.info(summary.line)
        let outputShape = Self.outputShape(network, args, imageSize)
        let inputShape = [args.batch, network.config.channels] + imageSize
        let sourceMB = isDefinition && !FileManager.default.fileExists(atPath: displayModel) ? 0 : ExportPaths.megabytes(modelURL)
        log.info("")
        log.info("\(ExportLog.prefix("PyTorch")) starting from '\(displayModel)' with input shape \(Self.tuple(inputShape)) BCHW and output shape(s) \(Self.tuple(outputShape)) (\(String(format: "%.1f", sourceMB)) MB)")

        let metadata = ExportMetadata(network: network, format: format, arguments: args, imageSize: imageSize,
                                      sourceStem: stem)
        let job = ExportJob(network: network, format: format, requestedFormat: requested, arguments: args,
                            imageSize: imageSize, metadata: metadata, destination: destination,
                            modelDisplayPath: displayModel, log: log)
        let prefix = ExportLog.prefix(format.displayName)
        let t0 = Date()
        let artifact: ExportArtifact
        do {
            artifact = try writer.export(job)
            let mb = ExportPaths.megabytes(artifact.url)
            guard mb > 0.1 else {
                try? FileManager.default.removeItem(at: artifact.url)
                throw ExportError.artifactTooSmall(file: artifact.displayPath, megabytes: mb)
            }
            log.info("\(prefix) export success ✅ \(Self.seconds(t0))s, saved as '\(artifact.displayPath)' (\(String(format: "%.1f", mb)) MB)")
        } catch {
            log.error("\(prefix) export failure \(Self.seconds(t0))s: \(error)")
            throw error
        }

        // Closing summary.
        let square = imageSize[0] == imageSize[1]
        let size = square ? "\(imageSize[0])" : "\(imageSize[0]),\(imageSize[1])"
        let q = args.quantize == .fp16 ? "quantize=16" : ""
        let trainData = network.args["data"]?.string ?? ""
        let d = Self.isPortable(trainData) ? "data=\(trainData)" : ""
        log.info("")
        log.info("Export complete (\(Self.seconds(start))s)")
        log.info("Results saved to \(ExportLog.bold(artifact.url.resolvingSymlinksInPath().standardizedFileURL.path))")
        if format.loadable {
            log.info("Predict:         yolo predict task=\(network.task) model=\(artifact.displayPath) imgsz=\(size) \(q)")
            log.info("Validate:        yolo val task=\(network.task) model=\(artifact.displayPath) imgsz=\(size) \(d) \(q)")
        }
        log.info("Visualize:       https://netron.app")
        return ExportResult(url: artifact.url, displayPath: artifact.displayPath, format: format)
    }

    /// `(1, 56, 2100)`, or `(1, 300, 57)` with embedded NMS.
    static func outputShape(_ net: YOLONetwork, _ args: ExportArguments, _ size: [Int]) -> [Int] {
        if args.nms == true { return [args.batch, args.maxDet, 6 + net.head.keypointValues] }
        let anchors = net.stride.reduce(0) { $0 + (size[0] / Int($1)) * (size[1] / Int($1)) }
        return [args.batch, net.head.outputChannels, anchors]
    }

    /// A Python tuple of ints.
    static func tuple(_ v: [Int]) -> String { "(" + v.map(String.init).joined(separator: ", ") + ")" }

    static func seconds(_ since: Date) -> String { String(format: "%.1f", Date().timeIntervalSince(since)) }

    /// Whether a recorded dataset would resolve here: a bare name, a URL, or an existing file.
    static func isPortable(_ data: String) -> Bool {
        guard !data.isEmpty else { return false }
        return data.contains("://") || !(data.contains("/") || data.contains("\\")) || FileManager.default.fileExists(atPath: data)
    }
}
