import Foundation

/// A frame rate as a fraction (frames per second = num / den).
public struct FrameRate: Sendable, Equatable, CustomStringConvertible {
    public var num: Int
    public var den: Int
    public init(num: Int, den: Int) {
        self.num = num
        self.den = den
    }
    /// Parses ffprobe's "30000/1001" or "25" form; nil for "0/0" and garbage.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard let n = Int(parts.first ?? ""), n > 0 else { return nil }
        let d = parts.count > 1 ? Int(parts[1]) ?? 0 : 1
        guard d > 0 else { return nil }
        self.init(num: n, den: d)
    }
    public var fps: Double { Double(num) / Double(den) }
    /// The rate after keeping every `stride`-th frame.
    public func divided(by stride: Int) -> FrameRate { FrameRate(num: num, den: den * max(stride, 1)) }
    public var description: String { "\(num)/\(den)" }
}

/// What `ffprobe` reports about the first video stream, with the size as displayed (after the container's
/// rotation is applied, as OpenCV's `VideoCapture` does by default).
public struct VideoInfo: Sendable, Equatable {
    /// Displayed frame size (width and height swapped for a ±90° rotation).
    public var width: Int
    public var height: Int
    /// Frame rate (r_frame_rate, else avg_frame_rate, else 30/1).
    public var rate: FrameRate
    /// Frame count as OpenCV's CAP_PROP_FRAME_COUNT: the container's nb_frames, else round(duration × fps)
    /// (0 when unknown). It is an estimate: the decoder may deliver a different number.
    public var frameCount: Int
    /// Display rotation in degrees as ffprobe reports it (0, ±90, 180).
    public var rotation: Int

    public var fps: Double { rate.fps }

    public init(width: Int, height: Int, rate: FrameRate, frameCount: Int, rotation: Int) {
        self.width = width
        self.height = height
        self.rate = rate
        self.frameCount = frameCount
        self.rotation = rotation
    }

    /// Probes `path` with `ffprobe`.
    public static func probe(_ path: String) throws -> VideoInfo {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VideoError.cannotOpen(path: path, reason: "no such file")
        }
        let args = ["-v", "error", "-select_streams", "v:0",
                    "-show_entries", "stream=width,height,r_frame_rate,avg_frame_rate,nb_frames,duration:stream_side_data=rotation:stream_tags=rotate:format=duration",
                    "-of", "json", path]
        let r = try FFmpegTool.run("ffprobe", args, for: path)
        guard r.status == 0 else {
            throw VideoError.cannotOpen(path: path, reason: FFmpegTool.reason(r.stderr, status: r.status))
        }
        return try parse(r.stdout, path: path)
    }

    /// Parses ffprobe's JSON (the `-show_entries` of `probe`).
    static func parse(_ json: Data, path: String) throws -> VideoInfo {
        let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
        guard let stream = (root["streams"] as? [[String: Any]])?.first,
              let w = stream["width"] as? Int, let h = stream["height"] as? Int, w > 0, h > 0 else {
            throw VideoError.cannotOpen(path: path, reason: "no video stream")
        }
        func number(_ v: Any?) -> Double? {
            if let d = v as? Double { return d }
            if let i = v as? Int { return Double(i) }
            if let s = v as? String { return Double(s) }
            return nil
        }
        let rate = FrameRate(stream["r_frame_rate"] as? String ?? "") ?? FrameRate(stream["avg_frame_rate"] as? String ?? "")
            ?? FrameRate(num: 30, den: 1)
        var rotation = 0
        if let sides = stream["side_data_list"] as? [[String: Any]] {
            for s in sides { if let r = number(s["rotation"]) { rotation = Int(r) } }
        }
        if rotation == 0, let tags = stream["tags"] as? [String: Any], let r = number(tags["rotate"]) { rotation = Int(r) }
        let quarter = ((rotation % 360) + 360) % 180 == 90
        var count = Int(number(stream["nb_frames"]) ?? 0)
        if count <= 0 {
            let format = root["format"] as? [String: Any]
            let duration = number(format?["duration"]) ?? number(stream["duration"]) ?? 0
            count = duration > 0 ? Int((duration * rate.fps + 0.5).rounded(.down)) : 0
        }
        return VideoInfo(width: quarter ? h : w, height: quarter ? w : h, rate: rate, frameCount: count, rotation: rotation)
    }
}
