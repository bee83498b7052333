import YOLOData
import YOLOEngine

/// Runs a tracker over a predictor's results, frame by frame, as the reference's tracking callbacks do: the tracker
/// restarts (ids from 1) whenever the source path changes unless `persist`; each frame's results are cut down and
/// reordered to the reported tracks, whose Kalman-filtered boxes (clipped to the image), ids, scores and classes
/// replace the detections' boxes while the keypoints stay the matched detections'. A frame with no reported track
/// keeps its detections without ids, or none when a new track is waiting to be confirmed.
public final class TrackingSession {
    public let config: TrackerConfig
    public let persist: Bool
    let tracker: MultiObjectTracker
    var lastPath: String?
    /// Stream mode: one tracker per stream slot (slot 0 is `tracker`), each with its own last path.
    var slots: [Int: (tracker: MultiObjectTracker, lastPath: String?)] = [:]

    /// Reads the tracker YAML (`tracker=`: a path or a built-in name such as `bytetrack.yaml`) and builds the tracker.
    public init(tracker: String = "tracktrack.yaml", persist: Bool = false) throws {
        config = try TrackerConfig.load(tracker)
        self.persist = persist
        self.tracker = try config.makeTracker()
    }

    /// Assigns track ids to one frame's results; `image` is the frame they were predicted on. `slot` is the stream
    /// index in stream mode (several live sources each keep their own tracker), nil otherwise.
    public func process(_ results: Results, image: Image, slot: Int? = nil) -> Results {
        let tracker: MultiObjectTracker
        if let slot, slot > 0 {
            var entry = slots[slot] ?? ((try? config.makeTracker()) ?? self.tracker, nil)
            if !persist && entry.lastPath != results.path {
                entry.tracker.reset()
                entry.lastPath = results.path
            }
            slots[slot] = entry
            tracker = entry.tracker
        } else {
            tracker = self.tracker
            if !persist && lastPath != results.path {
                tracker.reset()
                lastPath = results.path
            }
        }
        let dets = TrackerDetections(xywh: results.boxes.xywh, conf: results.boxes.conf, cls: results.boxes.cls.map(Float.init))
        let tracks = tracker.update(dets, image: image)
        if tracks.isEmpty {
            return tracker.hasUnconfirmedTracks ? results.selecting([]) : results
        }
        return results.selecting(tracks.map(\.index))
            .replacingBoxes(xyxy: tracks.map(\.xyxy), conf: tracks.map(\.score), cls: tracks.map { Int($0.cls) },
                            id: tracks.map(\.id))
    }

    /// Makes `predictor` track: its results get ids before they are logged, saved or returned.
    public func attach(to predictor: Predictor) {
        predictor.postprocessHook = { [self, unowned predictor] r, image in process(r, image: image, slot: predictor.streamSlot) }
    }
}
