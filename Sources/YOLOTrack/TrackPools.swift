/// The list operations and distances every tracker shares (the reference's `stracks.py` and `matching.py`).
enum TrackPools {
    /// `a` followed by the tracks of `b` whose id is not in `a`.
    static func joint(_ a: [STrack], _ b: [STrack]) -> [STrack] {
        let ids = Set(a.map(\.trackID))
        return a + b.filter { !ids.contains($0.trackID) }
    }

    /// The tracks of `a` whose id is not in `b`.
    static func sub(_ a: [STrack], _ b: [STrack]) -> [STrack] {
        let ids = Set(b.map(\.trackID))
        return a.filter { !ids.contains($0.trackID) }
    }

    /// IoU between every box pair, in `Float` with eps 1e-7 (the reference's `bbox_ioa(iou=True)`).
    static func iou(_ a: [SIMD4<Float>], _ b: [SIMD4<Float>]) -> [Float] {
        var out = [Float](repeating: 0, count: a.count * b.count)
        for (i, p) in a.enumerated() {
            let areaA = (p[2] - p[0]) * (p[3] - p[1])
            for (j, q) in b.enumerated() {
                let iw = max(min(p[2], q[2]) - max(p[0], q[0]), 0)
                let ih = max(min(p[3], q[3]) - max(p[1], q[1]), 0)
                let inter = iw * ih
                let areaB = (q[2] - q[0]) * (q[3] - q[1])
                out[i * b.count + j] = inter / (areaB + areaA - inter + 1e-7)
            }
        }
        return out
    }

    static func boxes(_ t: [STrack]) -> [SIMD4<Float>] {
        t.map { let b = $0.xyxy; return SIMD4(Float(b[0]), Float(b[1]), Float(b[2]), Float(b[3])) }
    }

    /// 1 − IoU between tracks and detections (row-major, tracks × detections).
    static func iouDistance(_ a: [STrack], _ b: [STrack]) -> [Float] {
        iou(boxes(a), boxes(b)).map { 1 - $0 }
    }

    /// 1 − IoU·score: the IoU cost weighted by each detection's confidence.
    static func fuseScore(_ cost: [Float], detections: [STrack]) -> [Float] {
        guard !detections.isEmpty else { return cost }
        let m = detections.count
        return cost.enumerated().map { k, c in 1 - (1 - c) * detections[k % m].score }
    }

    /// Drops the shorter-lived track of every tracked/lost pair overlapping at IoU > 0.85 (ties drop from `a`).
    static func removeDuplicates(_ a: [STrack], _ b: [STrack]) -> ([STrack], [STrack]) {
        let d = iouDistance(a, b)
        var dropA = Set<Int>(), dropB = Set<Int>()
        for p in 0..<a.count {
            for q in 0..<b.count where d[p * b.count + q] < 0.15 {
                let tp = a[p].frameID - a[p].startFrame, tq = b[q].frameID - b[q].startFrame
                if tp > tq { dropB.insert(q) } else { dropA.insert(p) }
            }
        }
        return (a.enumerated().filter { !dropA.contains($0.offset) }.map(\.element),
                b.enumerated().filter { !dropB.contains($0.offset) }.map(\.element))
    }

    /// Predicts every track one frame ahead; tracks not currently tracked have their size velocities zeroed first
    /// (ByteTrack's height velocity; BoT-SORT's width and height velocities).
    static func multiPredict(_ tracks: [STrack], _ kf: KalmanFilter) {
        for t in tracks {
            guard var m = t.mean, let p = t.covariance else { continue }
            if t.state != .tracked {
                if t.form == .xywh { m[6] = 0 }
                m[7] = 0
            }
            (t.mean, t.covariance) = kf.predict(mean: m, covariance: p)
        }
    }

    /// Applies a 2×3 camera-motion warp (row-major) to each track's state: centres and their velocities rotate
    /// with the linear part and the centre moves by the translation; sizes follow |linear part|.
    static func applyWarp(_ tracks: [STrack], _ h: [Double]) {
        let r = [h[0], h[1], h[3], h[4]]
        let ra = r.map { abs($0) }
        // The 8×8 block-diagonal transform: R on (x, y), |R| on (w, h), R on (vx, vy), |R| on (vw, vh).
        var t8 = [Double](repeating: 0, count: 64)
        for blk in 0..<4 {
            let src = blk % 2 == 0 ? r : ra
            for i in 0..<2 { for j in 0..<2 { t8[(blk * 2 + i) * 8 + blk * 2 + j] = src[i * 2 + j] } }
        }
        for t in tracks {
            guard let m = t.mean, let p = t.covariance else { continue }
            var nm = [Double](repeating: 0, count: 8)
            for i in 0..<8 { var acc = 0.0; for j in 0..<8 { acc += t8[i * 8 + j] * m[j] }; nm[i] = acc }
            nm[0] += h[2]
            nm[1] += h[5]
            var tp = [Double](repeating: 0, count: 64)
            for i in 0..<8 { for j in 0..<8 { var acc = 0.0; for k in 0..<8 { acc += t8[i * 8 + k] * p[k * 8 + j] }; tp[i * 8 + j] = acc } }
            var np = [Double](repeating: 0, count: 64)
            for i in 0..<8 { for j in 0..<8 { var acc = 0.0; for k in 0..<8 { acc += tp[i * 8 + k] * t8[j * 8 + k] }; np[i * 8 + j] = acc } }
            t.mean = nm
            t.covariance = np
        }
    }
}
