/// The index set `torch.topk(values, k, largest=True)` returns on CPU, including which of several equal values it
/// keeps. The assigner's top-k often ends in a run of zeros (anchors with no overlap), and the anchors picked among
/// them become positives when they lie inside the box, so the tie order matters.
///
/// torch selects with the C++ standard library over (value, index) pairs ordered by value only: a partial sort
/// (heap selection) when k·64 ≤ n, otherwise an introselect (nth element). This type reproduces both algorithms'
/// element movements as libstdc++ performs them; only the selected set is returned (ascending indices).
enum TorchTopK {
    struct Entry { var value: Float; var index: Int32 }

    /// "x comes before y" in torch's largest-first order (NaN first).
    @inline(__always) static func before(_ x: Entry, _ y: Entry) -> Bool {
        (x.value.isNaN && !y.value.isNaN) || x.value > y.value
    }

    /// The k selected indices of a dense vector.
    static func largest(_ values: [Float], k: Int) -> [Int] {
        precondition(k >= 1 && k <= values.count, "TorchTopK: k \(k) for \(values.count) values")
        var q = values.enumerated().map { Entry(value: $0.element, index: Int32($0.offset)) }
        if k * 64 <= values.count {
            heapSelect(&q, 0, k, q.count)
        } else {
            introselect(&q, nth: k - 1)
        }
        return q[0..<k].map { Int($0.index) }.sorted()
    }

    /// The k selected indices of an n-vector that is 0 except at `entries` (ascending, distinct indices, values ≥ 0).
    /// Exact for the heap-selection path (k·64 ≤ n) without touching the zeros: a later element only enters the heap
    /// when it is strictly greater than the heap's least element, which is ≥ 0. Falls back to the dense form otherwise.
    static func largest(count n: Int, k: Int, entries: [(index: Int, value: Float)]) -> [Int] {
        if k * 64 > n || entries.contains(where: { $0.value.isNaN || $0.value < 0 }) {
            var dense = [Float](repeating: 0, count: n)
            for e in entries { dense[e.index] = e.value }
            return largest(dense, k: k)
        }
        var q = (0..<k).map { Entry(value: 0, index: Int32($0)) }
        var rest: [Entry] = []
        for e in entries {
            if e.index < k { q[e.index].value = e.value } else { rest.append(Entry(value: e.value, index: Int32(e.index))) }
        }
        makeHeap(&q, 0, k)
        for e in rest where before(e, q[0]) {
            adjustHeap(&q, 0, 0, k, e)  // the evicted top goes to e's old slot, which is never read again
        }
        return q.map { Int($0.index) }.sorted()
    }

    // MARK: libstdc++ heap primitives on q[first ..< first + len]

    /// Sifts the hole at `hole` down to a leaf along the larger children, then pushes `value` up (std::__adjust_heap).
    static func adjustHeap(_ q: inout [Entry], _ first: Int, _ holeIndex: Int, _ len: Int, _ value: Entry) {
        var hole = holeIndex
        let top = holeIndex
        var child = holeIndex
        while child < (len - 1) / 2 {
            child = 2 * (child + 1)
            if before(q[first + child], q[first + child - 1]) { child -= 1 }
            q[first + hole] = q[first + child]
            hole = child
        }
        if len & 1 == 0 && child == (len - 2) / 2 {
            child = 2 * (child + 1)
            q[first + hole] = q[first + child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > top && before(q[first + parent], value) {
            q[first + hole] = q[first + parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        q[first + hole] = value
    }

    static func makeHeap(_ q: inout [Entry], _ first: Int, _ len: Int) {
        guard len >= 2 else { return }
        var parent = (len - 2) / 2
        while true {
            adjustHeap(&q, first, parent, len, q[first + parent])
            if parent == 0 { return }
            parent -= 1
        }
    }

    /// Moves the (middle − first) first elements of q[first ..< last] in torch's order to the front (std::__heap_select).
    static func heapSelect(_ q: inout [Entry], _ first: Int, _ middle: Int, _ last: Int) {
        let len = middle - first
        makeHeap(&q, first, len)
        var i = middle
        while i < last {
            if before(q[i], q[first]) {
                let value = q[i]
                q[i] = q[first]
                adjustHeap(&q, first, 0, len, value)
            }
            i += 1
        }
    }

    // MARK: libstdc++ introselect (std::nth_element)

    static func introselect(_ q: inout [Entry], nth: Int) {
        var first = 0, last = q.count
        var depth = 2 * (Int.bitWidth - 1 - q.count.leadingZeroBitCount)
        while last - first > 3 {
            if depth == 0 {
                heapSelect(&q, first, nth + 1, last)
                q.swapAt(first, nth)
                return
            }
            depth -= 1
            let mid = first + (last - first) / 2
            moveMedianToFirst(&q, first, first + 1, mid, last - 1)
            let cut = unguardedPartition(&q, first + 1, last, pivot: first)
            if cut <= nth { first = cut } else { last = cut }
        }
        insertionSort(&q, first, last)
    }

    static func moveMedianToFirst(_ q: inout [Entry], _ result: Int, _ a: Int, _ b: Int, _ c: Int) {
        if before(q[a], q[b]) {
            if before(q[b], q[c]) { q.swapAt(result, b) }
            else if before(q[a], q[c]) { q.swapAt(result, c) }
            else { q.swapAt(result, a) }
        } else if before(q[a], q[c]) { q.swapAt(result, a) }
        else if before(q[b], q[c]) { q.swapAt(result, c) }
        else { q.swapAt(result, b) }
    }

    static func unguardedPartition(_ q: inout [Entry], _ lo: Int, _ hi: Int, pivot: Int) -> Int {
        var first = lo, last = hi
        while true {
            while before(q[first], q[pivot]) { first += 1 }
            last -= 1
            while before(q[pivot], q[last]) { last -= 1 }
            if !(first < last) { return first }
            q.swapAt(first, last)
            first += 1
        }
    }

    static func insertionSort(_ q: inout [Entry], _ first: Int, _ last: Int) {
        guard first < last else { return }
        var i = first + 1
        while i < last {
            let value = q[i]
            if before(value, q[first]) {
                var j = i
                while j > first { q[j] = q[j - 1]; j -= 1 }
                q[first] = value
            } else {
                var j = i
                while before(value, q[j - 1]) { q[j] = q[j - 1]; j -= 1 }
                q[j] = value
            }
            i += 1
        }
    }
}
