import Foundation
import YOLOData
import YOLOModel

/// What predicting one video produced.
public struct VideoRunSummary: Sendable {
    /// Frames predicted (the kept frames).
    public var frames = 0
    /// Label files written (frames with at least one detection, when `saveTxt`).
    public var labelsSaved = 0
    /// Summed timings over the frames.
    public var speed = Speed(preprocess: 0, inference: 0, postprocess: 0)
    /// Letterboxed input size of the last frame.
    public var lastShape: (height: Int, width: Int)?
    /// The saved video (`<stem>.avi`), when `save`.
    public var videoURL: URL?
    /// The probed source.
    public var info: VideoInfo?
    /// The error that stopped the video part-way (decoding or encoding failed); the frames before it count.
    public var error: VideoError?
}

extension Predictor {
    /// Predicts the frames of the video at `path`, as Ultralytics does for a video source:
    /// every `vidStride`-th frame (0-based frames N-1, 2N-1, …), each with its console line
    /// `video {index}/{total} (frame {f}/{F}) {path}: {H}x{W} …`, where f counts the kept frames from 1 and
    /// F = probed frame count / vidStride. With a `saveDir`, `saveTxt` writes `labels/<stem>_<f>.txt` and
    /// `save` writes `<stem>.avi` (Motion JPEG) at the source fps / vidStride.
    ///
    /// Frames stream through: one decoded frame is held at a time, and `onResult` gets each frame's Results
    /// (path = the video path) as it is ready.
    /// Throws `VideoError` when the video cannot be opened (ffmpeg missing, corrupt file). A decoding or
    /// encoding failure part-way ends the video early and is returned in `summary.error`. Errors from
    /// `onResult` and from writing label files are rethrown.
    public func runVideo(path: String, index: Int, total: Int, saveDir: URL? = nil, stem: String? = nil,
                         onResult: (Results) throws -> Void = { _ in }) throws -> VideoRunSummary {
        var summary = VideoRunSummary()
        let reader = try VideoReader(path: path, vidStride: options.vidStride)
        defer { reader.close() }
        summary.info = reader.info
        let stem = stem ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let frameTotal = reader.expectedFrames
        var writer: VideoWriter?
        defer { if let writer { try? writer.finish() } }
        var f = 0
        while true {
            let frame: VideoFrame
            do {
                guard let next = try reader.nextFrame() else { break }
                frame = next
            } catch let e as VideoError {
                summary.error = e
                break
            }
            f += 1
            let r = try predictFrame(frame.image, path: path)
            summary.frames += 1
            summary.lastShape = r.inputShape
            summary.speed.preprocess += r.speed.preprocess
            summary.speed.inference += r.speed.inference
            summary.speed.postprocess += r.speed.postprocess
            if options.verbose {
                log("video \(index)/\(total) (frame \(f)/\(frameTotal)) \(path): \(r.inputShape.height)x\(r.inputShape.width) \(r.verbose())\(String(format: "%.1f", r.speed.inference))ms")
            }
            if let saveDir {
                if try saveLabelsAndCrops(r, image: frame.image, stem: "\(stem)_\(f)", in: saveDir) { summary.labelsSaved += 1 }
                if options.save && summary.error == nil {
                    do {
                        if writer == nil {
                            let url = saveDir.appendingPathComponent("\(stem).avi")
                            try? FileManager.default.removeItem(at: url)
                            writer = try VideoWriter(url: url, width: frame.image.width, height: frame.image.height,
                                                     rate: reader.info.rate.divided(by: options.vidStride))
                            summary.videoURL = url
                        }
                        let annotated = try r.plot(on: frame.image, lineWidth: options.lineWidth, showBoxes: options.showBoxes,
                                                   showLabels: options.showLabels, showConf: options.showConf)
                        try writer!.write(annotated)
                        try saveFrame(annotated, stem: stem, frame: f, in: saveDir)
                    } catch let e as VideoError {
                        summary.error = e
                    }
                }
            }
            try onResult(r)
        }
        if let w = writer {
            writer = nil
            do { try w.finish() } catch let e as VideoError { summary.error = summary.error ?? e }
        }
        return summary
    }
}
