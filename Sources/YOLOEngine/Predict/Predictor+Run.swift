import Foundation
import YOLODistributed
import YOLOData
import YOLOModel

/// What a predict run produced.
public struct PredictRun {
    public var results: Int = 0
    public var skipped: [String] = []
    public var saveDir: URL?
    public var labelsSaved = 0
}

extension Predictor {
    /// Predicts every image of `source` (file, directory, glob or list), calling `onResult` per image as it
    /// is ready (results are not accumulated, so long runs stream). Unreadable images are reported and skipped.
    @discardableResult
    public func run(source: String, onResult: (Results) throws -> Void = { _ in }) throws -> PredictRun {
        if let streams = try PredictSource.streams(source) {
            guard communicator.size == 1 else {
                throw PredictError.unsupported("live sources are not split across MPI ranks; predict '\(source)' without mpirun")
            }
            return try runStreams(streams, streamBuffer: options.streamBuffer, onResult: onResult)
        }
        let files = try PredictSource.resolve(source)
        var run = PredictRun()
        let saveDir = try makeSaveDirectory()
        run.saveDir = saveDir
        // batch > 1: the reference letterboxes a batch to minimal rectangles only when all its images share a shape,
        // else every image of the batch to the full square. Batches are consecutive groups of `batch` sources.
        let batch = max(options.batch, 1)
        // Under mpirun each rank takes whole batches of a contiguous slice; output names are decided over all files.
        let batches = communicator.shard((files.count + batch - 1) / batch)
        let mine = (batches.lowerBound * batch)..<min(batches.upperBound * batch, files.count)
        let stems = PredictSource.uniqueStems(files)
        let prefetch = ImagePrefetcher(Array(files[mine]))
        var totals = Speed(preprocess: 0, inference: 0, postprocess: 0)
        var lastShape = (height: imgsz.height, width: imgsz.width)
        var decoded: [Int: Result<Image, Error>] = [:]
        var batchAuto: [Int: Bool] = [:]
        for i in mine {
            let path = files[i]
            if PredictSource.isVideo(path) {
                let stem: String? = saveDir != nil ? stems[i] : nil
                do {
                    let v = try runVideo(path: path, index: i + 1, total: files.count, saveDir: saveDir, stem: stem, onResult: onResult)
                    run.results += v.frames
                    run.labelsSaved += v.labelsSaved
                    totals.preprocess += v.speed.preprocess
                    totals.inference += v.speed.inference
                    totals.postprocess += v.speed.postprocess
                    if let s = v.lastShape { lastShape = s }
                    if let e = v.error { Log.warning("video \(i + 1)/\(files.count): stopped after \(v.frames) frames, \(e)") }
                } catch let e as VideoError {
                    Log.warning("video \(i + 1)/\(files.count): skipped, \(e)")
                    run.skipped.append(path)
                }
                continue
            }
            if batch > 1 && batchAuto[i / batch] == nil {
                let members = (i / batch * batch)..<min((i / batch + 1) * batch, files.count)
                var shapes = Set<[Int]>()
                for j in members where j >= i && !PredictSource.isVideo(files[j]) {
                    let d = prefetch.take(j - mine.lowerBound)
                    decoded[j] = d
                    if case .success(let img) = d { shapes.insert([img.height, img.width]) }
                }
                batchAuto[i / batch] = shapes.count <= 1
            }
            let auto = letterboxAuto && options.rect && (batch == 1 || batchAuto[i / batch] ?? true)
            let image: Image
            switch decoded.removeValue(forKey: i) ?? prefetch.take(i - mine.lowerBound) {
            case .success(let img): image = img
            case .failure(let e):
                Log.warning("image \(i + 1)/\(files.count) \(path): skipped, \(e)")
                run.skipped.append(path)
                continue
            }
            let r = try predictFrame(image, path: path, auto: auto)
            // The reference draws the map during inference, so its line comes before the image's.
            if options.visualize, let saveDir, let network = backend as? YOLONetwork {
                try writeActivationMap(image, stem: stems[i], auto: auto, network: network, saveDir: saveDir)
            }
            lastShape = r.inputShape
            totals.preprocess += r.speed.preprocess
            totals.inference += r.speed.inference
            totals.postprocess += r.speed.postprocess
            run.results += 1
            if options.verbose {
                log("image \(i + 1)/\(files.count) \(path): \(r.inputShape.height)x\(r.inputShape.width) \(r.verbose())\(String(format: "%.1f", r.speed.inference))ms")
            }
            if let saveDir {
                let stem = stems[i]
                if try saveLabelsAndCrops(r, image: image, stem: stem, in: saveDir) { run.labelsSaved += 1 }
                if options.save {
                    let annotated = try r.plot(on: image, lineWidth: options.lineWidth, showBoxes: options.showBoxes,
                                               showLabels: options.showLabels, showConf: options.showConf)
                    try ImageIO.writeJPEG(annotated, to: saveDir.appendingPathComponent("\(stem).jpg"), quality: 95)
                }
            }
            try onResult(r)
        }
        if communicator.size > 1 {
            // Rank 0 reports the totals of every rank.
            var sums = [Double(run.results), Double(run.labelsSaved), Double(run.skipped.count),
                        totals.preprocess, totals.inference, totals.postprocess]
            try communicator.allReduceSum(&sums)
            run.results = Int(sums[0])
            run.labelsSaved = Int(sums[1])
            totals = Speed(preprocess: sums[3], inference: sums[4], postprocess: sums[5])
            if communicator.rank != 0 { return run }
        }
        logSummary(run, totals: totals, lastShape: lastShape)
        return run
    }

    /// The run folder (`runs/<task>/<mode>`, `labels/` inside when saving labels), created; nil when nothing is saved.
    /// Rank 0 picks the name and the other ranks write into the same folder.
    func makeSaveDirectory() throws -> URL? {
        guard options.save || options.saveTxt || options.saveCrop || options.visualize else { return nil }
        let chosen = SaveDirectory.make(task: backend.task, mode: options.mode, project: options.project,
                                        name: options.name, existOk: options.existOk)
        let saveDir = URL(fileURLWithPath: try communicator.broadcast(chosen.path))
        try FileManager.default.createDirectory(at: saveDir, withIntermediateDirectories: true)
        if options.saveTxt {
            try FileManager.default.createDirectory(at: saveDir.appendingPathComponent("labels"), withIntermediateDirectories: true)
        }
        return saveDir
    }

    /// The reference's closing lines: mean speeds, where results went, how many label files.
    func logSummary(_ run: PredictRun, totals: Speed, lastShape: (height: Int, width: Int)) {
        guard options.verbose else { return }
        if run.results > 0 {
            let n = Double(run.results)
            log(String(format: "Speed: %.1fms preprocess, %.1fms inference, %.1fms postprocess per image at shape (1, 3, %d, %d)",
                       totals.preprocess / n, totals.inference / n, totals.postprocess / n, lastShape.height, lastShape.width))
        }
        if let saveDir = run.saveDir {
            log("Results saved to \u{1b}[1m\(saveDir.path)\u{1b}[0m")
            if options.saveTxt {
                log("\(run.labelsSaved) label\(run.labelsSaved > 1 ? "s" : "") saved to \(saveDir.path)/labels")
            }
        }
    }

    /// Writes `labels/<stem>.txt` (replacing an older file) and `crops/<class>/<stem>.jpg` when asked; returns
    /// whether a label file was written (frames without detections write none).
    func saveLabelsAndCrops(_ r: Results, image: Image, stem: String, in saveDir: URL) throws -> Bool {
        if options.saveCrop {
            try r.saveCrops(from: image, to: saveDir.appendingPathComponent("crops"), fileStem: stem)
        }
        guard options.saveTxt else { return false }
        let url = saveDir.appendingPathComponent("labels/\(stem).txt")
        try? FileManager.default.removeItem(at: url)
        try r.saveTxt(to: url, saveConf: options.saveConf)
        return r.count > 0
    }

    /// With `save_frames`, writes an annotated video or stream frame as `<stem>_frames/<stem>_<frame>.jpg` (JPEG 95).
    func saveFrame(_ annotated: Image, stem: String, frame: Int, in saveDir: URL) throws {
        guard options.saveFrames else { return }
        let dir = saveDir.appendingPathComponent("\(stem)_frames")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ImageIO.writeJPEG(annotated, to: dir.appendingPathComponent("\(stem)_\(frame).jpg"), quality: 95)
    }
}
