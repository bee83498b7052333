import YOLOTensor

/// One detection in letterboxed-input pixels: box corners, score, class and the keypoint values that
/// ride along (K·D floats, untouched by NMS).
public struct Detection: Sendable, Equatable {
    public var box: SIMD4<Float>      // x1, y1, x2, y2
    public var conf: Float
    public var cls: Int
    public var keypoints: [Float]
}

/// Non-maximum suppression settings, with the predictor's defaults.
public struct NMSOptions: Sendable {
    public var conf: Float = 0.25
    public var iou: Float = 0.7
    public var classes: [Int]? = nil
    public var agnostic = false
    public var maxDet = 300
    public var maxNMS = 30_000
    public var maxWH: Float = 7680
    /// Every class scoring above `conf` becomes its own candidate (validation with nc > 1), instead of only the
    /// best class.
    public var multiLabel = false
    public init() {}
}

/// Greedy NMS over a decoded head output `[B, 4 + nc + extra, anchors]` (xywh boxes, class probabilities,
/// extra values), per image: best-class filter (strict >; every class above `conf` with `multiLabel`),
/// optional class filter, top `maxNMS` by score,
/// class-offset boxes (unless agnostic), suppression of IoU > `iou`, first `maxDet` kept in score order.
public func nonMaxSuppression(_ output: Tensor, nc: Int, options o: NMSOptions) -> [[Detection]] {
    precondition(output.rank == 3 && output.shape[1] >= 4 + nc, "nonMaxSuppression: output \(output.shape), nc \(nc)")
    let (batch, channels, anchors) = (output.shape[0], output.shape[1], output.shape[2])
    let extra = channels - 4 - nc
    let allowed = o.classes.map(Set.init)
    return (0..<batch).map { b in
        let base = output.pointer + b * channels * anchors
        var cands: [Detection] = []
        for a in 0..<anchors {
            var best: Float = -.infinity, j = 0
            for c in 0..<nc {
                let s = base[(4 + c) * anchors + a]
                if s > best { best = s; j = c }
            }
            guard best > o.conf else { continue }
            let cx = base[a], cy = base[anchors + a], w = base[2 * anchors + a], h = base[3 * anchors + a]
            let box = SIMD4(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            var kp = [Float](repeating: 0, count: extra)
            for k in 0..<extra { kp[k] = base[(4 + nc + k) * anchors + a] }
            if o.multiLabel && nc > 1 {
                for c in 0..<nc {
                    let s = base[(4 + c) * anchors + a]
                    guard s > o.conf, allowed?.contains(c) ?? true else { continue }
                    cands.append(Detection(box: box, conf: s, cls: c, keypoints: kp))
                }
            } else {
                if let allowed, !allowed.contains(j) { continue }
                cands.append(Detection(box: box, conf: best, cls: j, keypoints: kp))
            }
        }
        // Highest score first; ties keep anchor order.
        let order = cands.indices.sorted { cands[$0].conf > cands[$1].conf || (cands[$0].conf == cands[$1].conf && $0 < $1) }
        var sorted = order.map { cands[$0] }
        if sorted.count > o.maxNMS { sorted.removeLast(sorted.count - o.maxNMS) }
        return greedyNMS(sorted, iou: o.iou, offset: o.agnostic ? 0 : o.maxWH, maxDet: o.maxDet)
    }
}

/// Suppresses boxes (already sorted by descending score) whose IoU with a kept box exceeds `iou`.
func greedyNMS(_ dets: [Detection], iou: Float, offset: Float, maxDet: Int) -> [Detection] {
    let boxes = dets.map { $0.box + SIMD4(repeating: Float($0.cls) * offset) }
    let areas = boxes.map { ($0[2] - $0[0]) * ($0[3] - $0[1]) }
    var suppressed = [Bool](repeating: false, count: dets.count)
    var keep: [Detection] = []
    for i in dets.indices where !suppressed[i] {
        keep.append(dets[i])
        if keep.count == maxDet { break }
        let bi = boxes[i]
        for j in (i + 1)..<dets.count where !suppressed[j] {
            let bj = boxes[j]
            let iw = max(0, min(bi[2], bj[2]) - max(bi[0], bj[0]))
            let ih = max(0, min(bi[3], bj[3]) - max(bi[1], bj[1]))
            let inter = iw * ih
            if inter / (areas[i] + areas[j] - inter) > iou { suppressed[j] = true }
        }
    }
    return keep
}
