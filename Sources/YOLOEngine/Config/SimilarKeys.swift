/// "Did you mean" suggestions with the same scores as Python's `difflib`: the Ratcliff/Obershelp similarity
/// `2·M / (len(a) + len(b))`, where M counts characters in the recursively found longest common blocks.
public enum SimilarKeys {
    /// Similarity of two strings in [0, 1], equal to `difflib.SequenceMatcher(None, a, b).ratio()` for strings
    /// shorter than 200 characters (the matcher's "popular element" heuristic only starts there).
    public static func ratio(_ a: String, _ b: String) -> Double {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        let total = x.count + y.count
        guard total > 0 else { return 1 }
        return 2.0 * Double(matchingCharacters(x, y)) / Double(total)
    }

    /// Up to `n` candidates whose ratio to `word` is at least `cutoff`, best first; equal scores order by
    /// descending candidate text (as `difflib.get_close_matches` does).
    public static func closeMatches(_ word: String, among candidates: [String], n: Int = 3, cutoff: Double = 0.6) -> [String] {
        var scored: [(score: Double, key: String)] = []
        let w = Array(word.unicodeScalars)
        var wordCounts: [Unicode.Scalar: Int] = [:]
        for c in w { wordCounts[c, default: 0] += 1 }
        for c in candidates {
            // difflib's two upper bounds first (length, then shared characters): equal results, far fewer matchings.
            let x = Array(c.unicodeScalars)
            let total = x.count + w.count
            guard total > 0 else { if cutoff <= 1 { scored.append((1, c)) }; continue }
            if 2.0 * Double(min(x.count, w.count)) / Double(total) < cutoff { continue }
            var left = wordCounts, shared = 0
            for ch in x { if let n = left[ch], n > 0 { left[ch] = n - 1; shared += 1 } }
            if 2.0 * Double(shared) / Double(total) < cutoff { continue }
            let r = 2.0 * Double(matchingCharacters(x, w)) / Double(total)
            if r >= cutoff { scored.append((r, c)) }
        }
        scored.sort { l, r in
            if l.score != r.score { return l.score > r.score }
            return r.key.unicodeScalars.map(\.value).lexicographicallyPrecedes(l.key.unicodeScalars.map(\.value))
        }
        return scored.prefix(n).map(\.key)
    }

    /// Total size of the matching blocks: the longest common block, then recursively the parts left and right of it.
    static func matchingCharacters(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var positions: [Unicode.Scalar: [Int]] = [:]
        for (j, c) in b.enumerated() { positions[c, default: []].append(j) }
        var total = 0
        var queue = [(0, a.count, 0, b.count)]
        while let (alo, ahi, blo, bhi) = queue.popLast() {
            let (i, j, k) = longestMatch(a, positions, alo, ahi, blo, bhi)
            guard k > 0 else { continue }
            total += k
            if alo < i && blo < j { queue.append((alo, i, blo, j)) }
            if i + k < ahi && j + k < bhi { queue.append((i + k, ahi, j + k, bhi)) }
        }
        return total
    }

    /// Longest block `a[i..<i+k] == b[j..<j+k]` within the ranges; ties go to the smallest i, then the smallest j.
    private static func longestMatch(_ a: [Unicode.Scalar], _ positions: [Unicode.Scalar: [Int]],
                                     _ alo: Int, _ ahi: Int, _ blo: Int, _ bhi: Int) -> (Int, Int, Int) {
        var best = (alo, blo, 0)
        var lengths: [Int: Int] = [:]   // length of the block ending at (i-1, j)
        for i in alo..<ahi {
            var next: [Int: Int] = [:]
            for j in positions[a[i]] ?? [] {
                if j < blo { continue }
                if j >= bhi { break }
                let k = (lengths[j - 1] ?? 0) + 1
                next[j] = k
                if k > best.2 { best = (i - k + 1, j - k + 1, k) }
            }
            lengths = next
        }
        return best
    }
}
