import CKernels

/// Layout conversions between channels-last and logical NCHW buffers, and row-major stride helpers.
enum Layout {
    /// [N, H, W, C] → [N, C, H, W].
    static func nhwcToNCHW(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, c: Int, h: Int, w: Int) {
        transpose2D(src, dst, batches: n, rows: h * w, cols: c)
    }

    /// [N, C, H, W] → [N, H, W, C].
    static func nchwToNHWC(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, c: Int, h: Int, w: Int) {
        yk_nchw_to_nhwc(src, dst, Int64(n), Int64(c), Int64(h), Int64(w))
    }

    /// For each batch, `dst[c][r] = src[r][c]` for a `rows × cols` matrix, in cache-sized tiles.
    static func transpose2D(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, batches: Int, rows: Int, cols: Int) {
        let tile = 32
        for b in 0..<batches {
            let s = src + b * rows * cols, d = dst + b * rows * cols
            var r0 = 0
            while r0 < rows {
                let r1 = min(r0 + tile, rows)
                var c0 = 0
                while c0 < cols {
                    let c1 = min(c0 + tile, cols)
                    for c in c0..<c1 {
                        let drow = d + c * rows
                        for r in r0..<r1 { drow[r] = s[r * cols + c] }
                    }
                    c0 = c1
                }
                r0 = r1
            }
        }
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = acc
            acc *= shape[d]
        }
        return s
    }

    /// Numpy broadcast of two shapes, or nil when they are incompatible.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(x == 1 ? y : x)
        }
        return out
    }

    /// Strides for reading a tensor of `shape` broadcast to `out` (0 along broadcast axes), padded to out's rank.
    static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: out.count - shape.count) + shape
        let s = strides(padded)
        return padded.indices.map { padded[$0] == 1 && out[$0] != 1 ? 0 : s[$0] }
    }

    /// Normalises a possibly negative axis for `rank`, or nil when out of range.
    static func axis(_ a: Int, rank: Int) -> Int? {
        let v = a < 0 ? a + rank : a
        return v >= 0 && v < max(rank, 1) ? v : nil
    }

    /// Calls `body(outIndex, aIndex, bIndex)` for every element of the broadcast of shapes with the given read
    /// strides (innermost axis in a tight loop).
    static func forEachBroadcast(_ out: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = out.count
        let total = out.reduce(1, *)
        guard total > 0 else { return }
        guard rank > 0 else { body(0, 0, 0); return }
        let inner = out[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        while o < total {
            var a = 0, b = 0
            for d in 0..<(rank - 1) { a += index[d] * sa[d]; b += index[d] * sb[d] }
            for k in 0..<inner { body(o + k, a + k * ia, b + k * ib) }
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < out[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Calls `body(outOffset, inOffset)` for each innermost row of `out` (length out.last), where the input is read
    /// with `strides` and its innermost stride is 1 (so a row is one contiguous copy).
    static func forEachRow(_ out: [Int], _ strides: [Int], _ body: (Int, Int) -> Void) {
        let rank = out.count
        guard rank > 0, out.reduce(1, *) > 0 else { return }
        let inner = out[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        let total = out.reduce(1, *)
        while o < total {
            var a = 0
            for d in 0..<(rank - 1) { a += index[d] * strides[d] }
            body(o, a)
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < out[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }
}
