import YOLOData

/// ByteTrack and BoT-SORT, as Ultralytics 8.4.190 runs them: detections split at `track_high_thresh` and
/// `track_low_thresh`; confirmed and lost tracks are predicted (and, for BoT-SORT, warped by the camera motion)
/// and matched to the high-score detections on fused IoU cost; the remaining tracked ones to the low-score
/// detections on plain IoU (limit 0.5); unconfirmed tracks to the leftovers (limit 0.7); what is left starts new
/// tracks above `new_track_thresh`. BoT-SORT differs in its `xywh` Kalman state and the camera-motion warp.
public final class ByteTracker: TrackerBase, MultiObjectTracker {
    public let config: TrackerConfig

    /// Builds the tracker `config.trackerType` names (`bytetrack` or `botsort`).
    public init(config: TrackerConfig) throws {
        self.config = config
        switch config.trackerType {
        case "bytetrack":
            super.init(form: .xyah, gmc: nil)
        case "botsort":
            super.init(form: .xywh, gmc: try GMC.active(config.gmcMethod ?? "sparseOptFlow"))
        default:
            preconditionFailure("ByteTracker: tracker_type \(config.trackerType)")
        }
    }

    public func update(_ dets: TrackerDetections, image: Image?) -> [TrackedObject] {
        advanceFrame()
        var activated: [STrack] = [], refind: [STrack] = [], lostNow: [STrack] = [], removedNow: [STrack] = []
        var high: [STrack] = [], low: [STrack] = []
        let hi = Float(config.trackHighThresh), lo = Float(config.trackLowThresh)
        for i in 0..<dets.count {
            let b = dets.xywh[i], s = dets.conf[i]
            guard b[2] > 0 && b[3] > 0 else { continue }  // a zero height would make an infinite aspect ratio
            let t = STrack(xywh: b, score: s, cls: dets.cls[i], idx: i, form: form)
            if s >= hi { high.append(t) } else if s > lo { low.append(t) }
        }
        let unconfirmed = tracked.filter { !$0.isActivated }
        let confirmed = tracked.filter { $0.isActivated }
        let pool = TrackPools.joint(confirmed, lost)
        TrackPools.multiPredict(pool, kf)
        if let gmc, let image {
            let warp = gmc.apply(image)
            TrackPools.applyWarp(pool, warp)
            TrackPools.applyWarp(unconfirmed, warp)
        }

        // 1. confirmed and lost tracks ↔ high-score detections
        let first = LinearAssignment.solve(cost: distances(pool, high), rows: pool.count, columns: high.count,
                                           limit: config.matchThresh)
        for (r, c) in first.matches { apply(pool[r], high[c], &activated, &refind) }

        // 2. tracks still tracked ↔ low-score detections, on IoU alone
        let remaining = first.unmatchedRows.map { pool[$0] }.filter { $0.state == .tracked }
        var stillUnmatched = Array(0..<remaining.count)
        if !remaining.isEmpty && !low.isEmpty {
            let second = LinearAssignment.solve(cost: TrackPools.iouDistance(remaining, low), rows: remaining.count,
                                                columns: low.count, limit: 0.5)
            for (r, c) in second.matches { apply(remaining[r], low[c], &activated, &refind) }
            stillUnmatched = second.unmatchedRows
        }
        for r in stillUnmatched {
            remaining[r].state = .lost
            lostNow.append(remaining[r])
        }

        // 3. unconfirmed tracks ↔ the high-score detections left over
        var leftover = first.unmatchedColumns.map { high[$0] }
        if !unconfirmed.isEmpty {
            let third = LinearAssignment.solve(cost: distances(unconfirmed, leftover), rows: unconfirmed.count,
                                               columns: leftover.count, limit: 0.7)
            for (r, c) in third.matches {
                unconfirmed[r].update(leftover[c], kf: kf, frame: frameID)
                activated.append(unconfirmed[r])
            }
            for r in third.unmatchedRows {
                unconfirmed[r].state = .removed
                removedNow.append(unconfirmed[r])
            }
            leftover = third.unmatchedColumns.map { leftover[$0] }
        }

        // 4. new tracks
        let newThresh = Float(config.newTrackThresh)
        for t in leftover where t.score >= newThresh {
            t.activate(kf, frame: frameID, nextID: nextID)
            activated.append(t)
        }
        for t in lost where frameID - t.endFrame > config.trackBuffer {
            t.state = .removed
            removedNow.append(t)
        }
        mergePools(activated: activated, refind: refind, lost: lostNow, removed: removedNow)
        return tracked.filter(\.isActivated).map(\.output)
    }

    func distances(_ tracks: [STrack], _ dets: [STrack]) -> [Float] {
        let d = TrackPools.iouDistance(tracks, dets)
        return config.fuseScore ? TrackPools.fuseScore(d, detections: dets) : d
    }

    func apply(_ track: STrack, _ det: STrack, _ activated: inout [STrack], _ refind: inout [STrack]) {
        if track.state == .tracked {
            track.update(det, kf: kf, frame: frameID)
            activated.append(track)
        } else {
            track.reActivate(det, kf: kf, frame: frameID)
            refind.append(track)
        }
    }
}

extension TrackPools {
    /// Folds one frame's transitions into the persistent pools; keeps the last 1000 removed tracks.
    static func merge(tracked: [STrack], lost: [STrack], removed: [STrack], activated: [STrack], refind: [STrack],
                      lostNow: [STrack], removedNow: [STrack]) -> ([STrack], [STrack], [STrack]) {
        var t = tracked.filter { $0.state == .tracked }
        t = joint(t, activated)
        t = joint(t, refind)
        var l = sub(lost, t)
        l += lostNow
        var r = removed
        l = sub(l, r)
        (t, l) = removeDuplicates(t, l)
        r += removedNow
        if r.count > 1000 { r = Array(r.suffix(1000)) }
        return (t, l, r)
    }
}
