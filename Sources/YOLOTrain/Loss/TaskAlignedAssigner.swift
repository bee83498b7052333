import Foundation

/// The task-aligned assigner of one image (spec train-and-val §4.5), in pixels and without gradients.
struct TaskAlignedAssigner {
    var topk = 10
    var alpha: Float = 0.5
    var beta: Float = 6
    var eps: Float = 1e-9
    /// GT sides below this (the second stride) are enlarged to it for the candidate test.
    var minSide: Float

    /// The foreground anchors of one image, ascending, with their GT and soft score weight.
    struct Result {
        var anchors: [Int] = []
        var gt: [Int] = []
        /// The normalised alignment t·o_max/(t_max + eps): the target score of the assigned class.
        var weight: [Float] = []
    }

    /// Candidate pairs of one GT, by ascending anchor: overlap = max(CIoU(gt, pred), 0) and t = s^α·o^β.
    struct Candidates {
        var anchors: [Int] = []
        var overlap: [Float] = []
        var metric: [Float] = []

        /// (overlap, metric) of anchor a, or zeros when a is not a candidate.
        func lookup(_ a: Int) -> (overlap: Float, metric: Float) {
            var lo = 0, hi = anchors.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if anchors[mid] < a { lo = mid + 1 } else { hi = mid }
            }
            return lo < anchors.count && anchors[lo] == a ? (overlap[lo], metric[lo]) : (0, 0)
        }
    }

    /// The candidate test box: sides shorter than `minSide` widened about the centre (valid rows only).
    func candidateBox(_ b: SIMD4<Float>) -> SIMD4<Float> {
        let cx = (b.x + b.z) / 2, cy = (b.y + b.w) / 2
        var w = b.z - b.x, h = b.w - b.y
        if w < minSide { w = minSide }
        if h < minSide { h = minSide }
        return SIMD4(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    }

    /// Assigns the anchors of one image.
    /// - `predBox(a)`: the predicted box of anchor a in pixels (xyxy); `score(a, c)`: σ(class logit c) of anchor a.
    func assign(targets: PoseTargets, grid: AnchorGrid, predBox: (Int) -> SIMD4<Float>,
                score: (Int, Int) -> Float) -> Result {
        let n = targets.count
        guard n > 0 else { return Result() }
        precondition(grid.count >= topk, "TaskAlignedAssigner: \(grid.count) anchors for top-\(topk)")
        // 1–2. Candidates and alignment metrics.
        var cands = [Candidates](repeating: Candidates(), count: n)
        for g in 0..<n where targets.valid[g] {
            let gtBox = targets.box[g]
            var c = Candidates()
            for a in grid.anchors(inside: candidateBox(gtBox), eps: eps) {
                let o = max(CIoU.value(gtBox, predBox(a)), 0)
                let s = score(a, targets.cls[g])
                c.anchors.append(a)
                c.overlap.append(o)
                c.metric.append(s.squareRoot() * Foundation.pow(o, beta))
            }
            cands[g] = c
        }
        // 3. Top-k per GT among all anchors, intersected with its candidates.
        var positives = [[Int]](repeating: [], count: n)
        for g in 0..<n where targets.valid[g] {
            let c = cands[g]
            let entries = c.anchors.indices.map { (index: c.anchors[$0], value: c.metric[$0]) }
            let top = TorchTopK.largest(count: grid.count, k: topk, entries: entries)
            positives[g] = top.filter { c.anchors.binaryContains($0) }
        }
        // 4. One GT per anchor: several claimants go to the GT of largest overlap (first on ties) among all rows.
        var owner: [Int: Int] = [:], claims: [Int: Int] = [:]
        for g in 0..<n {
            for a in positives[g] {
                if claims[a] == nil { owner[a] = g }
                claims[a, default: 0] += 1
            }
        }
        for (a, k) in claims where k > 1 {
            var best = 0, bestOverlap = cands[0].lookup(a).overlap
            for g in 1..<n {
                let o = cands[g].lookup(a).overlap
                if o > bestOverlap { best = g; bestOverlap = o }
            }
            owner[a] = best
        }
        // 6. Soft normalisation per GT over its final anchors.
        var tMax = [Float](repeating: 0, count: n), oMax = tMax
        for (a, g) in owner {
            let (o, t) = cands[g].lookup(a)
            tMax[g] = max(tMax[g], t)
            oMax[g] = max(oMax[g], o)
        }
        var result = Result()
        for a in owner.keys.sorted() {
            let g = owner[a]!
            let t = cands[g].lookup(a).metric
            result.anchors.append(a)
            result.gt.append(g)
            result.weight.append(t * oMax[g] / (tMax[g] + eps))
        }
        return result
    }
}

extension Array where Element == Int {
    /// Whether a sorted array contains `x`.
    func binaryContains(_ x: Int) -> Bool {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == x
    }
}
