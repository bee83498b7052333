/// The anchor points of the head levels (spec train-and-val §4.2): level by level (P3, P4, P5), row-major within a
/// level, each anchor at the cell centre (j + 0.5, i + 0.5) in that level's grid units.
struct AnchorGrid {
    struct Level {
        let h: Int, w: Int
        let stride: Float
        /// Global index of the level's first anchor.
        let start: Int
    }

    let levels: [Level]
    /// Number of anchors over all levels.
    let count: Int
    /// Per anchor: centre x and y in grid units, stride, level index and index within the level.
    let x: [Float], y: [Float], stride: [Float]
    let level: [Int32], local: [Int32]

    init(sizes: [(h: Int, w: Int)], strides: [Float]) {
        precondition(sizes.count == strides.count, "AnchorGrid: \(sizes.count) levels for \(strides.count) strides")
        var levels: [Level] = []
        var start = 0
        for (i, s) in sizes.enumerated() {
            levels.append(Level(h: s.h, w: s.w, stride: strides[i], start: start))
            start += s.h * s.w
        }
        var x = [Float](), y = [Float](), stride = [Float](), level = [Int32](), local = [Int32]()
        x.reserveCapacity(start)
        for (l, lv) in levels.enumerated() {
            for i in 0..<lv.h {
                for j in 0..<lv.w {
                    x.append(Float(j) + 0.5)
                    y.append(Float(i) + 0.5)
                    stride.append(lv.stride)
                    level.append(Int32(l))
                    local.append(Int32(i * lv.w + j))
                }
            }
        }
        self.levels = levels
        self.count = start
        self.x = x
        self.y = y
        self.stride = stride
        self.level = level
        self.local = local
    }

    /// The anchors whose pixel centre lies strictly inside `box` (pixels, xyxy) with margin > `eps` on every side,
    /// in ascending anchor order. Only the cells near the box are tested, with the exact comparison.
    func anchors(inside box: SIMD4<Float>, eps: Float) -> [Int] {
        var out: [Int] = []
        for lv in levels {
            let s = lv.stride
            func range(_ lo: Float, _ hi: Float, _ n: Int) -> ClosedRange<Int>? {
                guard lo.isFinite, hi.isFinite else { return nil }
                let a = max(0, Int(max(-1, min(Double(n), (Double(lo) / Double(s) - 0.5).rounded(.down)))))
                let b = min(n - 1, Int(max(-1, min(Double(n), (Double(hi) / Double(s) - 0.5).rounded(.up)))))
                return a <= b ? a...b : nil
            }
            guard let cols = range(box.x, box.z, lv.w), let rows = range(box.y, box.w, lv.h) else { continue }
            for i in rows {
                let py = (Float(i) + 0.5) * s
                guard py - box.y > eps, box.w - py > eps else { continue }
                for j in cols {
                    let px = (Float(j) + 0.5) * s
                    if px - box.x > eps && box.z - px > eps { out.append(lv.start + i * lv.w + j) }
                }
            }
        }
        return out
    }
}
