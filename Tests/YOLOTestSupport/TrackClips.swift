import Foundation
import YOLOData

/// The two clips of `Tests/Fixtures/track/clips.json`, rebuilt exactly as `Scripts/reference/track_clips.py` makes
/// them (integer crops and pastes of decoded coco8-pose JPEGs, encoded losslessly with FFV1 so every decoder gets
/// the same frames).
public enum TrackClips {
    /// The frames of clip `kind` ("shifted" or "moving"), BGR.
    public static func frames(_ kind: String) throws -> [Image] {
        let val = Fixtures.coco8Pose.appendingPathComponent("images/val")
        if kind == "shifted" {
            let im = try ImageIO.read(val.appendingPathComponent("000000000113.jpg"))
            return (0..<20).map { t in crop(im, x: 2 * t, y: 4 * t, width: 360, height: 540) }
        }
        let im = try ImageIO.read(val.appendingPathComponent("000000000136.jpg"))
        return (0..<20).map { t in
            var canvas = Image(width: 800, height: 480, repeating: 114)
            for y in 0..<im.height {
                let src = y * im.width * 3, dst = ((53 + y) * 800 + 12 * t) * 3
                canvas.pixels.replaceSubrange(dst..<(dst + im.width * 3), with: im.pixels[src..<(src + im.width * 3)])
            }
            return canvas
        }
    }

    static func crop(_ im: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        var px = [UInt8]()
        px.reserveCapacity(width * height * 3)
        for r in y..<(y + height) {
            let s = (r * im.width + x) * 3
            px += im.pixels[s..<(s + width * 3)]
        }
        return Image(width: width, height: height, order: .bgr, pixels: px)
    }

    /// Writes `frames` as a 30 fps FFV1 AVI at `url` with the ffmpeg command line.
    public static func write(_ frames: [Image], to url: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FFmpegTool.locate("ffmpeg") ?? "/usr/bin/ffmpeg")
        p.arguments = ["-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                       "-video_size", "\(frames[0].width)x\(frames[0].height)", "-framerate", "30", "-i", "pipe:0",
                       "-c:v", "ffv1", "-pix_fmt", "bgr0", url.path]
        let pipe = Pipe()
        p.standardInput = pipe
        try p.run()
        for f in frames { pipe.fileHandleForWriting.write(Data(f.pixels)) }
        try pipe.fileHandleForWriting.close()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "TrackClips", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "ffmpeg failed writing \(url.path)"])
        }
    }

    /// Builds clip `kind` as `<directory>/<kind>.avi` and returns its URL.
    public static func make(_ kind: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("\(kind).avi")
        try write(try frames(kind), to: url)
        return url
    }

    /// The reference's per-frame rows for `kind` and `tracker`: boxes ([x1, y1, x2, y2, id, conf, cls], or without
    /// the id) and keypoints.
    public static func reference(_ kind: String, tracker: String) throws -> [(boxes: [[Float]], keypoints: [[[Float]]])] {
        let data = try Data(contentsOf: Fixtures.url("track/clips.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let clips = root["clips"] as! [String: Any]
        let runs = (clips[kind] as! [String: Any])[tracker] as! [[String: Any]]
        return runs.map { f in
            ((f["boxes"] as! [[Double]]).map { $0.map(Float.init) },
             (f["keypoints"] as! [[[Double]]]).map { $0.map { $0.map(Float.init) } })
        }
    }
}
