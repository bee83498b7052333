/// The state every tracker keeps between frames: the tracked, lost and removed pools, the frame counter, the id
/// counter (ids are per tracker and restart at 1 on reset), the Kalman filter of new tracks and the optional camera
/// motion compensation.
public class TrackerBase {
    let form: BoxState
    var kf: KalmanFilter
    let gmc: GMC?
    var tracked: [STrack] = []
    var lost: [STrack] = []
    var removed: [STrack] = []
    public private(set) var frameID = 0
    var nextIDValue = 1

    init(form: BoxState, gmc: GMC?) {
        self.form = form
        self.gmc = gmc
        kf = KalmanFilter(form)
    }

    /// Whether a track exists that is not confirmed yet (its frame then reports no detections).
    public var hasUnconfirmedTracks: Bool { tracked.contains { !$0.isActivated } }

    func nextID() -> Int { defer { nextIDValue += 1 }; return nextIDValue }

    /// Starts the next frame.
    func advanceFrame() { frameID += 1 }

    /// Forgets every track and restarts ids at 1 (a new video).
    public func reset() {
        tracked = []
        lost = []
        removed = []
        frameID = 0
        nextIDValue = 1
        kf = KalmanFilter(form)
        gmc?.reset()
    }

    /// End-of-frame bookkeeping (the reference's `merge_track_pools`).
    func mergePools(activated: [STrack], refind: [STrack], lost lostNow: [STrack], removed removedNow: [STrack]) {
        (tracked, lost, removed) = TrackPools.merge(tracked: tracked, lost: lost, removed: removed, activated: activated,
                                                    refind: refind, lostNow: lostNow, removedNow: removedNow)
    }
}

extension GMC {
    /// A compensator for `method`, or nil for `none` (the trackers then skip the warp entirely).
    static func active(_ method: String) throws -> GMC? {
        let g = try GMC(method: method)
        return g.method == nil ? nil : g
    }
}
