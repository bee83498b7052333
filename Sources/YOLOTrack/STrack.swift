/// Where a track is in its life cycle (the reference's `TrackState`).
public enum TrackState: Int, Sendable {
    case new = 0, tracked, lost, removed
}

/// One tracked object: its Kalman state, the detection it last matched, and its bookkeeping. One class serves the
/// three trackers; `form` picks ByteTrack's `xyah` state or BoT-SORT/TrackTrack's `xywh` state, and the TrackTrack
/// fields (score history, corner velocity, box history) stay unused by the others.
///
/// Numerics follow the reference: the detection box is kept in `Float` (`tlwh` of a detection), the Kalman state in
/// `Double`, and boxes computed from the state stay `Double` until the tracker's output.
final class STrack {
    let form: BoxState
    /// The detection box (top-left x, y, width, height) this track was made from.
    let detTLWH: SIMD4<Float>
    var mean: [Double]?
    var covariance: [Double]?
    var isActivated = false
    var state = TrackState.new
    var score: Float
    var cls: Float
    /// Index of the matched detection in the frame's full detection list.
    var idx: Int
    var trackletLen = 0
    var trackID = 0
    var frameID = 0
    var startFrame = 0
    // TrackTrack only.
    var prevScore: Float
    var velocity = [SIMD2<Float>](repeating: .zero, count: 4)
    /// The last four boxes by frame; `single` marks a detection's float32 box (the reference keeps the dtype, and
    /// the velocity arithmetic runs in float32 when both boxes are).
    var history: [(frame: Int, box: SIMD4<Double>, single: Bool)] = []
    var minTrackLength = 3

    /// A detection as a track-to-be: `xywh` is the centre/size box as the predictor reports it.
    init(xywh: SIMD4<Float>, score: Float, cls: Float, idx: Int, form: BoxState) {
        // xywh2ltwh runs in float64 on the float32 values, then the result is stored as float32.
        let x = Double(xywh[0]), y = Double(xywh[1]), w = Double(xywh[2]), h = Double(xywh[3])
        detTLWH = SIMD4(Float(x - w / 2), Float(y - h / 2), Float(w), Float(h))
        self.form = form
        self.score = score
        self.cls = cls
        self.idx = idx
        prevScore = score
    }

    var endFrame: Int { frameID }

    /// The box as top-left x, y, width, height: from the Kalman state once there is one, else the detection's.
    var tlwh: SIMD4<Double> {
        guard let m = mean else {
            let t = detTLWH
            return SIMD4(Double(t[0]), Double(t[1]), Double(t[2]), Double(t[3]))
        }
        switch form {
        case .xyah:
            let w = m[2] * m[3]
            return SIMD4(m[0] - w / 2, m[1] - m[3] / 2, w, m[3])
        case .xywh:
            return SIMD4(m[0] - m[2] / 2, m[1] - m[3] / 2, m[2], m[3])
        }
    }

    /// The box as x1, y1, x2, y2. A detection's corners are added in `Float`, as the reference does on its
    /// float32 array.
    var xyxy: SIMD4<Double> {
        if mean == nil {
            let t = detTLWH
            return SIMD4(Double(t[0]), Double(t[1]), Double(t[0] + t[2]), Double(t[1] + t[3]))
        }
        let t = tlwh
        return SIMD4(t[0], t[1], t[0] + t[2], t[1] + t[3])
    }

    /// The Kalman measurement of a detection box (`Float` arithmetic, as on the reference's float32 array).
    func measurement(ofDetection d: STrack) -> [Double] {
        let t = d.detTLWH
        let cx = t[0] + t[2] / 2, cy = t[1] + t[3] / 2
        switch form {
        case .xyah: return [Double(cx), Double(cy), Double(t[2] / t[3]), Double(t[3])]
        case .xywh: return [Double(cx), Double(cy), Double(t[2]), Double(t[3])]
        }
    }

    func activate(_ kf: KalmanFilter, frame: Int, nextID: () -> Int, trackTrack: Bool = false) {
        trackID = nextID()
        (mean, covariance) = kf.initiate(measurement(ofDetection: self))
        trackletLen = 0
        if trackTrack {
            history.append((frame, xyxy, false))
            state = minTrackLength <= 1 ? .tracked : .new
            isActivated = frame == 1 || state == .tracked
        } else {
            state = .tracked
            if frame == 1 { isActivated = true }
        }
        frameID = frame
        startFrame = frame
    }

    /// Re-finds a lost track (ByteTrack/BoT-SORT).
    func reActivate(_ det: STrack, kf: KalmanFilter, frame: Int) {
        (mean, covariance) = kf.update(mean: mean!, covariance: covariance!, measurement: measurement(ofDetection: det))
        trackletLen = 0
        state = .tracked
        isActivated = true
        frameID = frame
        score = det.score
        cls = det.cls
        idx = det.idx
    }

    /// Updates a matched track (ByteTrack/BoT-SORT).
    func update(_ det: STrack, kf: KalmanFilter, frame: Int) {
        frameID = frame
        trackletLen += 1
        (mean, covariance) = kf.update(mean: mean!, covariance: covariance!, measurement: measurement(ofDetection: det))
        state = .tracked
        isActivated = true
        score = det.score
        cls = det.cls
        idx = det.idx
    }

    /// The tracker's output row: box, id, score, class and detection index.
    var output: TrackedObject {
        let b = xyxy
        return TrackedObject(xyxy: SIMD4(Float(b[0]), Float(b[1]), Float(b[2]), Float(b[3])), id: trackID,
                             score: score, cls: cls, index: idx)
    }
}

/// One row of a tracker's output for a frame.
public struct TrackedObject: Sendable, Equatable {
    /// The Kalman-filtered box, x1, y1, x2, y2.
    public var xyxy: SIMD4<Float>
    public var id: Int
    public var score: Float
    public var cls: Float
    /// Index of the detection (in the frame's detections) this track matched.
    public var index: Int

    public init(xyxy: SIMD4<Float>, id: Int, score: Float, cls: Float, index: Int) {
        self.xyxy = xyxy
        self.id = id
        self.score = score
        self.cls = cls
        self.index = index
    }
}

/// A frame's detections as a tracker takes them: centre/size boxes in original-image pixels, scores and classes.
public struct TrackerDetections: Sendable {
    public var xywh: [SIMD4<Float>]
    public var conf: [Float]
    public var cls: [Float]

    public init(xywh: [SIMD4<Float>], conf: [Float], cls: [Float]) {
        precondition(xywh.count == conf.count && conf.count == cls.count,
                     "TrackerDetections: \(xywh.count) boxes, \(conf.count) scores, \(cls.count) classes")
        self.xywh = xywh
        self.conf = conf
        self.cls = cls
    }

    public var count: Int { conf.count }
}
