import YOLOData
import YOLOEngine
import YOLOTrack

extension YOLO {
    /// Tracks the people (or objects) of a video, folder or list as `model.track(source, persist=…)` does: predicts
    /// each frame with `conf` 0.1 by default and runs the tracker of `tracker` (a YAML path or a built-in name:
    /// `tracktrack.yaml`, the reference's default, `botsort.yaml`, `bytetrack.yaml`). The results carry
    /// `boxes.id`. Without `persist` each call starts a new tracker, and ids restart whenever the source path
    /// changes (each video, each image); with `persist` the tracker of the previous persistent call continues
    /// (its tracker YAML is kept, as in the reference) and nothing resets between paths.
    ///
    /// `onResult` sees each frame as it is ready; the returned array holds them all (pass `collect: false` for long
    /// videos).
    @discardableResult
    public func track(_ source: String, persist: Bool = false, tracker: String = "tracktrack.yaml", conf: Float = 0.1,
                      iou: Float = 0.7, imgsz: [Int]? = nil, maxDet: Int = 300, classes: [Int]? = nil,
                      vidStride: Int = 1, save: Bool = false, saveTxt: Bool = false, saveConf: Bool = false,
                      project: String? = nil, name: String? = nil, existOk: Bool = false, verbose: Bool = false,
                      collect: Bool = true, onResult: (Results) throws -> Void = { _ in }) throws -> [Results] {
        var o = PredictOptions()
        o.mode = "track"
        o.conf = conf
        o.iou = iou
        o.imgsz = imgsz
        o.maxDet = maxDet
        o.classes = classes
        o.vidStride = vidStride
        o.save = save
        o.saveTxt = saveTxt
        o.saveConf = saveConf
        o.project = project
        o.name = name
        o.existOk = existOk
        o.verbose = verbose
        let predictor = try Predictor(backend: inference(), options: o)
        try session(tracker: tracker, persist: persist).attach(to: predictor)
        var all: [Results] = []
        try predictor.run(source: source) { r in
            if collect { all.append(r) }
            try onResult(r)
        }
        return all
    }

    /// Tracks one decoded frame of a live feed (persistent by default, so successive calls continue the same tracks).
    public func track(_ frame: Image, persist: Bool = true, tracker: String = "tracktrack.yaml",
                      options: PredictOptions? = nil) throws -> Results {
        var o = options ?? PredictOptions()
        if options == nil { o.conf = 0.1 }
        o.mode = "track"
        let r = try Predictor(backend: inference(), options: o).predict(frame)
        return try session(tracker: tracker, persist: persist).process(r, image: frame)
    }

    /// The tracking session for a call: the kept one when persisting, else a new one.
    func session(tracker: String, persist: Bool) throws -> TrackingSession {
        if persist, let s = trackingSession { return s }
        let s = try TrackingSession(tracker: tracker, persist: persist)
        if persist { trackingSession = s }
        return s
    }
}
