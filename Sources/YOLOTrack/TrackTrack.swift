import Foundation
import YOLOData

/// TrackTrack (Ultralytics 8.4.190's default tracker): one association of the tracked and lost tracks against all
/// high- and low-score detections on a multi-cue cost (height-modulated IoU, confidence difference, corner-angle
/// consistency; low-score detections pay `penalty_p`), solved by iterative mutually-nearest matching with a
/// threshold shrinking by `reduce_step`; unconfirmed tracks take the high-score leftovers the same way; new tracks
/// start through track-aware NMS and are confirmed after `min_track_len` updates. Camera motion is compensated
/// before prediction. For pose models the reference recovers no NMS-suppressed detections, so neither do we.
public final class TrackTrack: TrackerBase, MultiObjectTracker {
    public let config: TrackerConfig
    static let deltaT = 3

    public init(config: TrackerConfig) throws {
        self.config = config
        super.init(form: .xywh, gmc: try GMC.active(config.gmcMethod ?? "sparseOptFlow"))
    }

    public func update(_ dets: TrackerDetections, image: Image?) -> [TrackedObject] {
        advanceFrame()
        var activated: [STrack] = [], refind: [STrack] = [], lostNow: [STrack] = [], removedNow: [STrack] = []
        let hi = Float(config.trackHighThresh), lo = Float(config.trackLowThresh)
        func make(_ i: Int) -> STrack {
            let t = STrack(xywh: dets.xywh[i], score: dets.conf[i], cls: dets.cls[i], idx: i, form: .xywh)
            t.minTrackLength = config.minTrackLen
            return t
        }
        let high = (0..<dets.count).filter { dets.conf[$0] >= hi }.map(make)
        let low = (0..<dets.count).filter { dets.conf[$0] > lo && dets.conf[$0] < hi }.map(make)
        let confirmed = tracked.filter { $0.state == .tracked }
        let unconfirmed = tracked.filter { $0.state != .tracked }
        let pool = TrackPools.joint(confirmed, lost)
        if let gmc, let image {
            let warp = gmc.apply(image)
            TrackPools.applyWarp(pool, warp)
            TrackPools.applyWarp(unconfirmed, warp)
        }
        TrackPools.multiPredict(pool, kf)
        TrackPools.multiPredict(unconfirmed, kf)

        let all = high + low
        var cost = costMatrix(pool, all)
        if all.count > high.count {
            for r in 0..<pool.count {
                for c in high.count..<all.count {
                    cost[r * all.count + c] = min(max(cost[r * all.count + c] + Float(config.penaltyP), 0), 1)
                }
            }
        }
        let first = Self.iterativeAssociate(cost, rows: pool.count, columns: all.count,
                                            threshold: config.matchThresh, step: config.reduceStep)
        for (r, c) in first.matches {
            let t = pool[r], d = all[c]
            if t.state == .tracked {
                updateTT(t, d)
                activated.append(t)
            } else {
                reActivateTT(t, d)
                refind.append(t)
            }
        }
        for r in first.unmatchedRows where pool[r].state != .lost {
            pool[r].state = .lost
            lostNow.append(pool[r])
        }
        var leftover = first.unmatchedColumns.filter { $0 < high.count }.map { all[$0] }
        if !unconfirmed.isEmpty && !leftover.isEmpty {
            let uc = Self.iterativeAssociate(costMatrix(unconfirmed, leftover), rows: unconfirmed.count,
                                             columns: leftover.count, threshold: config.matchThresh, step: config.reduceStep)
            for (r, c) in uc.matches {
                updateTT(unconfirmed[r], leftover[c])
                activated.append(unconfirmed[r])
            }
            for r in uc.unmatchedRows {
                unconfirmed[r].state = .removed
                removedNow.append(unconfirmed[r])
            }
            leftover = uc.unmatchedColumns.map { leftover[$0] }
        } else {
            for t in unconfirmed {
                t.state = .removed
                removedNow.append(t)
            }
        }
        if config.lostMatchThresh > 0 && !leftover.isEmpty {
            let lostIDs = Set(lostNow.map { ObjectIdentifier($0) })
            let stillLost = pool.filter { $0.state == .lost && !lostIDs.contains(ObjectIdentifier($0)) }
            if !stillLost.isEmpty {
                let a = Self.iterativeAssociate(costMatrix(stillLost, leftover), rows: stillLost.count,
                                                columns: leftover.count, threshold: config.lostMatchThresh,
                                                step: config.reduceStep)
                for (r, c) in a.matches {
                    reActivateTT(stillLost[r], leftover[c])
                    refind.append(stillLost[r])
                }
                leftover = a.unmatchedColumns.map { leftover[$0] }
            }
        }
        let active = tracked.filter { $0.state == .tracked } + activated
        for (d, ok) in zip(leftover, trackAwareNMS(active, leftover)) where ok {
            d.activate(kf, frame: frameID, nextID: nextID, trackTrack: true)
            activated.append(d)
        }
        for t in lost where frameID - t.endFrame > config.trackBuffer {
            t.state = .removed
            removedNow.append(t)
        }
        mergePools(activated: activated, refind: refind, lost: lostNow, removed: removedNow)
        return tracked.filter { $0.isActivated && $0.frameID == frameID }.map(\.output)
    }
}
