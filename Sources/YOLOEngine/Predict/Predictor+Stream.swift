import Foundation
import YOLOData
import YOLOModel

extension PredictSource {
    /// The live sources `source` names, as the reference's stream loader takes them: a webcam index (`0`), `screen`,
    /// an `rtsp://`/`rtmp://`/`tcp://` URL, an `http(s)://` URL without a media suffix, or a `.streams` file listing
    /// several; nil for files, folders, globs and media URLs.
    public static func streams(_ source: String) throws -> [String]? {
        let lower = source.lowercased()
        if lower.hasSuffix(".streams") {
            guard let text = try? String(contentsOfFile: source, encoding: .utf8) else { throw PredictError.sourceNotFound(source) }
            let list = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            guard !list.isEmpty else { throw PredictError.noMedia(source) }
            return list
        }
        if Int(source) != nil { return [source] }
        if lower == "screen" || (lower.hasPrefix("screen ") && !FileManager.default.fileExists(atPath: source)) { return [source] }
        if RemoteSource.isStream(source) { return [source] }
        if RemoteSource.isURL(source) && !RemoteSource.hasMediaSuffix(source) { return [source] }
        return nil
    }

    /// A stream's name in results and file names: the reference's `clean_str` (special characters → `_`) with
    /// path separators replaced too.
    public static func streamName(_ source: String) -> String {
        let special = Set("|@#!¡·$€%&()=?¿^*;:,¨´><+")
        return String(source.map { special.contains($0) || $0 == "/" ? "_" : $0 })
    }
}

extension Predictor {
    /// Predicts live sources frame by frame until they end (or forever for a camera), as the reference's stream mode:
    /// the `{i+1}/{n}: {source}... Success ✅` lines, one `{i}: {H}x{W} …` line per stream and frame, labels
    /// `labels/<name stem>_<count>.txt`, the annotated video `<name stem><name suffix>.avi` at 30 fps / `vid_stride`.
    /// `streamBuffer` queues up to 30 frames instead of always taking the newest.
    func runStreams(_ sources: [String], streamBuffer: Bool, onResult: (Results) throws -> Void) throws -> PredictRun {
        var readers: [StreamReader] = []
        defer { readers.forEach { $0.close() } }
        for (i, s) in sources.enumerated() {
            let prefix = "\(i + 1)/\(sources.count): \(s)... "
            do {
                let r = try StreamReader(source: s, vidStride: options.vidStride, buffer: streamBuffer)
                readers.append(r)
                log(prefix + "Success ✅ (inf frames of shape \(r.width)x\(r.height) at \(String(format: "%.2f", r.fps)) FPS)")
            } catch let e as VideoError {
                throw PredictError.cannotOpenStream(source: s, index: i + 1, count: sources.count, reason: Self.reason(e))
            }
        }
        log("")
        var run = PredictRun()
        let saveDir = try makeSaveDirectory()
        run.saveDir = saveDir
        let names = sources.map(PredictSource.streamName)
        let stems = names.map { ($0 as NSString).deletingPathExtension }
        let suffixes = names.map { n -> String in let e = (n as NSString).pathExtension; return e.isEmpty ? "" : "." + e }
        var writers: [VideoWriter?] = Array(repeating: nil, count: sources.count)
        defer { for w in writers { try? w?.finish() } }
        var totals = Speed(preprocess: 0, inference: 0, postprocess: 0)
        var lastShape = imgsz
        var count = 0
        streaming: while true {
            var frames: [Image] = []
            for r in readers {
                guard let f = r.nextFrame() else { break streaming }
                frames.append(f)
            }
            var lines: [String] = []
            for (i, image) in frames.enumerated() {
                streamSlot = i
                let r = try predictFrame(image, path: names[i])
                streamSlot = nil
                lastShape = r.inputShape
                totals.preprocess += r.speed.preprocess
                totals.inference += r.speed.inference
                totals.postprocess += r.speed.postprocess
                run.results += 1
                lines.append("\(i): \(r.inputShape.height)x\(r.inputShape.width) \(r.verbose())\(String(format: "%.1f", r.speed.inference))ms")
                if let saveDir {
                    let stem = "\(stems[i])_\(count)"
                    if try saveLabelsAndCrops(r, image: image, stem: stem, in: saveDir) { run.labelsSaved += 1 }
                    if options.save {
                        if writers[i] == nil {
                            let url = saveDir.appendingPathComponent(stems[i] + suffixes[i]).deletingPathExtension().appendingPathExtension("avi")
                            writers[i] = try VideoWriter(url: url, width: image.width, height: image.height,
                                                         rate: FrameRate(num: 30, den: max(options.vidStride, 1)))
                        }
                        let annotated = try r.plot(on: image, lineWidth: options.lineWidth, showBoxes: options.showBoxes,
                                                   showLabels: options.showLabels, showConf: options.showConf)
                        try writers[i]!.write(annotated)
                        try saveFrame(annotated, stem: stems[i], frame: count, in: saveDir)
                    }
                }
                try onResult(r)
            }
            if options.verbose { log(lines.joined(separator: "\n")) }
            count += 1
        }
        for (i, w) in writers.enumerated() where w != nil {
            try w!.finish()
            writers[i] = nil
        }
        logSummary(run, totals: totals, lastShape: lastShape)
        return run
    }

    static func reason(_ e: VideoError) -> String {
        switch e {
        case .cannotOpen(_, let r), .decodeFailed(_, _, let r), .writeFailed(_, let r): return r
        case .toolNotFound: return e.description
        }
    }
}
