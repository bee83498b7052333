import Foundation

extension TrackTrack {
    /// Updates a matched track: NSA-Kalman correction, box history, corner velocity over the last three frames,
    /// promotion to tracked after `min_track_len` updates.
    func updateTT(_ t: STrack, _ d: STrack) {
        t.frameID = frameID
        t.trackletLen += 1
        t.prevScore = t.score
        (t.mean, t.covariance) = kf.update(mean: t.mean!, covariance: t.covariance!, measurement: t.measurement(ofDetection: d),
                                           confidence: Double(d.score))
        let cur = d.xyxy
        t.pushHistory((frameID, cur, true))
        var vel = [SIMD2<Float>](repeating: .zero, count: 4)
        for dt in 1...Self.deltaT {
            let (past, single) = t.historyBox(frame: frameID, back: dt)
            for (k, (ix, iy)) in Self.corners.enumerated() {
                if single {
                    let dx = Float(cur[ix]) - Float(past[ix]), dy = Float(cur[iy]) - Float(past[iy])
                    let norm = (dx * dx + dy * dy).squareRoot() + Float(1e-5)
                    vel[k] += SIMD2(dx / norm, dy / norm) / Float(dt)
                } else {
                    let dx = cur[ix] - past[ix], dy = cur[iy] - past[iy]
                    let norm = (dx * dx + dy * dy).squareRoot() + 1e-5
                    vel[k] = SIMD2(Float(Double(vel[k].x) + dx / norm / Double(dt)), Float(Double(vel[k].y) + dy / norm / Double(dt)))
                }
            }
        }
        t.velocity = vel.map { $0 / Float(Self.deltaT) }
        t.score = d.score
        if t.state == .tracked || t.trackletLen + 1 >= t.minTrackLength {
            t.state = .tracked
            t.isActivated = true
        }
        t.cls = d.cls
        t.idx = d.idx
    }

    /// Re-finds a lost track.
    func reActivateTT(_ t: STrack, _ d: STrack) {
        t.prevScore = t.score
        (t.mean, t.covariance) = kf.update(mean: t.mean!, covariance: t.covariance!, measurement: t.measurement(ofDetection: d),
                                           confidence: Double(d.score))
        t.pushHistory((frameID, t.xyxy, false))
        t.score = d.score
        t.trackletLen = 0
        t.state = .tracked
        t.isActivated = true
        t.frameID = frameID
        t.cls = d.cls
        t.idx = d.idx
    }

    /// Corner pairs (x index, y index) of an x1 y1 x2 y2 box: top-left, bottom-left, top-right, bottom-right.
    static let corners = [(0, 1), (0, 3), (2, 1), (2, 3)]

    /// The multi-cue cost between tracks and detections, clipped to [0, 1]; pairs with IoU ≤ 0.1 cost 1.
    func costMatrix(_ tracks: [STrack], _ dets: [STrack]) -> [Float] {
        let n = tracks.count, m = dets.count
        guard n > 0 && m > 0 else { return [Float](repeating: 1, count: n * m) }
        let a = TrackPools.boxes(tracks), b = TrackPools.boxes(dets)
        let iou = TrackPools.iou(a, b)
        var cost = [Float](repeating: 0, count: n * m)
        let cw = Float(config.confWeight)
        for i in 0..<n {
            let proj = tracks[i].score + (tracks[i].score - tracks[i].prevScore)
            for j in 0..<m {
                let over = min(a[i][3], b[j][3]) - max(a[i][1], b[j][1])
                let union = max(a[i][3], b[j][3]) - min(a[i][1], b[j][1])
                let hIoU = min(max(over / (union + Float(1e-9)), 0), 1)
                cost[i * m + j] = 1 - hIoU * iou[i * m + j] + cw * abs(proj - dets[j].score)
            }
        }
        let pairs = (0..<(n * m)).filter { iou[$0] > Float(0.1) }
        if !pairs.isEmpty { addAngleDistance(&cost, tracks, dets, pairs: pairs, columns: m) }
        for k in 0..<(n * m) {
            if !(iou[k] > Float(0.1)) { cost[k] = 1 }
            cost[k] = min(max(cost[k], 0), 1)
        }
        return cost
    }

    /// Adds `angle_weight` × the mean angle between each track's corner velocities and the directions from its box
    /// three frames back to the detection, times the detection score. The reference stacks the history boxes of all
    /// pairs into one array, so the arithmetic is float32 only when every one of them is a float32 detection box.
    func addAngleDistance(_ cost: inout [Float], _ tracks: [STrack], _ dets: [STrack], pairs: [Int], columns m: Int) {
        let past = pairs.map { tracks[$0 / m].historyBox(frame: frameID, back: Self.deltaT) }
        let single = past.allSatisfy(\.single)
        for (p, k) in pairs.enumerated() {
            let t = tracks[k / m], d = dets[k % m]
            let db = d.xyxy, tb = past[p].box
            if single {
                var sum: Float = 0
                for (c, (ix, iy)) in Self.corners.enumerated() {
                    let dx = Float(db[ix]) - Float(tb[ix]), dy = Float(db[iy]) - Float(tb[iy])
                    let norm = (dx * dx + dy * dy).squareRoot() + Float(1e-5)
                    let dot = t.velocity[c].x * (dx / norm) + t.velocity[c].y * (dy / norm)
                    sum += abs(acos(min(max(dot, -1), 1)))
                }
                let dist = sum / 4 / Float.pi * d.score
                cost[k] += Float(config.angleWeight) * dist
            } else {
                var sum = 0.0
                for (c, (ix, iy)) in Self.corners.enumerated() {
                    let dx = db[ix] - tb[ix], dy = db[iy] - tb[iy]
                    let norm = (dx * dx + dy * dy).squareRoot() + 1e-5
                    let dot = Double(t.velocity[c].x) * (dx / norm) + Double(t.velocity[c].y) * (dy / norm)
                    sum += abs(acos(min(max(dot, -1), 1)))
                }
                let dist = sum / 4 / Double.pi * Double(d.score)
                cost[k] = Float(Double(cost[k]) + config.angleWeight * dist)
            }
        }
    }

    /// Greedy mutually-nearest matching: each round matches every track whose nearest detection has it as its
    /// nearest track at a cost below the threshold, then lowers the threshold by `step`.
    static func iterativeAssociate(_ cost: [Float], rows n: Int, columns m: Int, threshold: Double,
                                   step: Double) -> Assignment {
        var c = cost, thr = threshold
        var matches: [(row: Int, column: Int)] = []
        while n > 0 && m > 0 {
            var nearestDet = [Int](repeating: 0, count: n), nearestTrack = [Int](repeating: 0, count: m)
            for i in 0..<n { for j in 1..<m where c[i * m + j] < c[i * m + nearestDet[i]] { nearestDet[i] = j } }
            for j in 0..<m { for i in 1..<n where c[i * m + j] < c[nearestTrack[j] * m + j] { nearestTrack[j] = i } }
            let new = (0..<n).filter { nearestTrack[nearestDet[$0]] == $0 && c[$0 * m + nearestDet[$0]] < Float(thr) }
                .map { (row: $0, column: nearestDet[$0]) }
            if new.isEmpty { break }
            matches += new
            for (i, j) in new {
                for jj in 0..<m { c[i * m + jj] = .infinity }
                for ii in 0..<n { c[ii * m + j] = .infinity }
            }
            thr -= step
        }
        let rowsMatched = Set(matches.map(\.row)), colsMatched = Set(matches.map(\.column))
        return Assignment(matches: matches, unmatchedRows: (0..<n).filter { !rowsMatched.contains($0) },
                          unmatchedColumns: (0..<m).filter { !colsMatched.contains($0) })
    }

    /// Which leftover detections may start a track: score above `new_track_thresh`, IoU with every active track at
    /// most `tai_thr`, and not overlapping a stronger allowed detection by more than `tai_thr`.
    func trackAwareNMS(_ active: [STrack], _ dets: [STrack]) -> [Bool] {
        guard !dets.isEmpty else { return [] }
        var allow = dets.map { $0.score > Float(config.newTrackThresh) }
        let nt = active.count, nd = dets.count
        if nt + nd < 2 { return allow }
        let boxes = TrackPools.boxes(active + dets)
        let iou = TrackPools.iou(boxes, boxes)
        let n = nt + nd, tai = Float(config.taiThresh)
        if nt > 0 {
            for i in 0..<nd {
                var mx = -Float.infinity
                for j in 0..<nt { mx = max(mx, iou[(nt + i) * n + j]) }
                if !(mx <= tai) { allow[i] = false }
            }
        }
        // Descending score; equal scores keep the later detection first (a stable ascending sort, reversed).
        let order = (0..<nd).sorted { dets[$0].score < dets[$1].score || (dets[$0].score == dets[$1].score && $0 < $1) }.reversed()
        for i in order where allow[i] {
            for j in 0..<nd where j != i && iou[(nt + i) * n + nt + j] > tai { allow[j] = false }
        }
        return allow
    }
}

extension STrack {
    func pushHistory(_ e: (frame: Int, box: SIMD4<Double>, single: Bool)) {
        history.append(e)
        if history.count > TrackTrack.deltaT + 1 { history.removeFirst() }
    }

    /// The box from `back` frames ago, else the latest box, else the current one.
    func historyBox(frame: Int, back: Int) -> (box: SIMD4<Double>, single: Bool) {
        if let e = history.first(where: { $0.frame == frame - back }) { return (e.box, e.single) }
        if let e = history.last { return (e.box, e.single) }
        return (xyxy, mean == nil)
    }
}
