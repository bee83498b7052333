/// The result of a thresholded linear assignment: matched (row, column) pairs in row order, and the unmatched rows
/// and columns in ascending order.
public struct Assignment: Sendable, Equatable {
    public var matches: [(row: Int, column: Int)]
    public var unmatchedRows: [Int]
    public var unmatchedColumns: [Int]

    public static func == (a: Assignment, b: Assignment) -> Bool {
        a.matches.map { [$0.row, $0.column] } == b.matches.map { [$0.row, $0.column] }
            && a.unmatchedRows == b.unmatchedRows && a.unmatchedColumns == b.unmatchedColumns
    }
}

/// Minimum-cost assignment between the rows and columns of a cost matrix where no pair may cost more than a
/// limit, as the reference trackers call `lap.lapjv(cost, extend_cost=True, cost_limit=thresh)`.
///
/// The R×C matrix is embedded in a square (R+C)×(R+C) one whose extra entries cost `limit / 2` (a row or column
/// left alone) and whose bottom-right block costs 0, and that square problem is solved exactly with the
/// Jonker–Volgenant algorithm (column reduction with reduction transfer, two augmenting row-reduction passes, then
/// shortest augmenting paths). The phases and their tie-breaking follow the order in which `lap` 0.5 visits rows and
/// columns, so equal-cost alternatives resolve the same way.
public enum LinearAssignment {
    /// Assigns rows to columns of `cost` (row-major, `rows × columns`), keeping pairs that beat `limit`.
    public static func solve(cost: [Float], rows: Int, columns: Int, limit: Double) -> Assignment {
        precondition(cost.count == rows * columns, "LinearAssignment.solve: \(cost.count) costs for \(rows)×\(columns)")
        if rows == 0 || columns == 0 {
            return Assignment(matches: [], unmatchedRows: Array(0..<rows), unmatchedColumns: Array(0..<columns))
        }
        let n = rows + columns
        var c = [Double](repeating: limit / 2, count: n * n)
        for i in rows..<n { for j in columns..<n { c[i * n + j] = 0 } }
        for i in 0..<rows { for j in 0..<columns { c[i * n + j] = Double(cost[i * columns + j]) } }
        var solver = JonkerVolgenant(n: n, cost: c)
        let (x, y) = solver.run()
        var result = Assignment(matches: [], unmatchedRows: [], unmatchedColumns: [])
        for i in 0..<rows {
            if x[i] < columns { result.matches.append((i, x[i])) } else { result.unmatchedRows.append(i) }
        }
        for j in 0..<columns where y[j] >= rows { result.unmatchedColumns.append(j) }
        return result
    }
}

/// The dense Jonker–Volgenant solver on a square matrix; `run()` returns the column of each row and the row of
/// each column.
struct JonkerVolgenant {
    let n: Int
    let cost: [Double]
    var x: [Int]
    var y: [Int]
    var v: [Double]
    var freeRows: [Int] = []
    /// `lap`'s initial "infinite" value (1e6); costs here stay far below it.
    static let large = 1_000_000.0

    init(n: Int, cost: [Double]) {
        self.n = n
        self.cost = cost
        x = [Int](repeating: -1, count: n)
        y = [Int](repeating: 0, count: n)
        v = [Double](repeating: Self.large, count: n)
    }

    mutating func run() -> ([Int], [Int]) {
        columnReduction()
        var pass = 0
        while !freeRows.isEmpty && pass < 2 {
            augmentingRowReduction()
            pass += 1
        }
        if !freeRows.isEmpty { augment() }
        return (x, y)
    }

    @inline(__always) func c(_ i: Int, _ j: Int) -> Double { cost[i * n + j] }

    /// Each column takes its cheapest row (the first on ties); a row chosen by several columns keeps the
    /// highest-numbered one; rows holding exactly one column transfer their reduction to it.
    mutating func columnReduction() {
        for i in 0..<n {
            for j in 0..<n where c(i, j) < v[j] {
                v[j] = c(i, j)
                y[j] = i
            }
        }
        var unique = [Bool](repeating: true, count: n)
        for j in stride(from: n - 1, through: 0, by: -1) {
            let i = y[j]
            if x[i] < 0 { x[i] = j } else { unique[i] = false; y[j] = -1 }
        }
        freeRows = []
        for i in 0..<n {
            if x[i] < 0 {
                freeRows.append(i)
            } else if unique[i] {
                let j = x[i]
                var m = Self.large
                for j2 in 0..<n where j2 != j { m = min(m, c(i, j2) - v[j2]) }
                v[j] -= m
            }
        }
    }

    /// One augmenting row-reduction pass over the free rows.
    mutating func augmentingRowReduction() {
        var free = freeRows
        let count = free.count
        var current = 0, newFree = 0, visits = 0
        while current < count {
            visits += 1
            let freeI = free[current]
            current += 1
            var j1 = 0, v1 = c(freeI, 0) - v[0]
            var j2 = -1, v2 = Self.large
            for j in 1..<n {
                let h = c(freeI, j) - v[j]
                if h < v2 {
                    if h >= v1 { v2 = h; j2 = j } else { v2 = v1; v1 = h; j2 = j1; j1 = j }
                }
            }
            var i0 = y[j1]
            let v1New = v[j1] - (v2 - v1)
            let lowers = v1New < v[j1]
            if visits < current * n {
                if lowers {
                    v[j1] = v1New
                } else if i0 >= 0 && j2 >= 0 {
                    j1 = j2
                    i0 = y[j2]
                }
                if i0 >= 0 {
                    if lowers { current -= 1; free[current] = i0 } else { free[newFree] = i0; newFree += 1 }
                }
            } else if i0 >= 0 {
                free[newFree] = i0
                newFree += 1
            }
            x[freeI] = j1
            y[j1] = freeI
        }
        freeRows = Array(free[0..<newFree])
    }

    /// Shortest augmenting paths from each remaining free row (Dijkstra over reduced costs).
    mutating func augment() {
        var pred = [Int](repeating: 0, count: n)
        for start in freeRows {
            let end = findPath(from: start, pred: &pred)
            var j = end, i = -1, steps = 0
            while i != start {
                i = pred[j]
                y[j] = i
                swap(&j, &x[i])
                steps += 1
                precondition(steps <= n, "LinearAssignment: augmenting path longer than \(n)")
            }
        }
    }

    mutating func findPath(from start: Int, pred: inout [Int]) -> Int {
        var cols = Array(0..<n)
        var d = (0..<n).map { c(start, $0) - v[$0] }
        for j in 0..<n { pred[j] = start }
        var lo = 0, hi = 0, ready = 0
        var finalJ = -1
        while finalJ == -1 {
            if lo == hi {
                ready = lo
                hi = lo + 1
                var mind = d[cols[lo]]
                for k in hi..<n {
                    let j = cols[k]
                    if d[j] <= mind {
                        if d[j] < mind { hi = lo; mind = d[j] }
                        cols[k] = cols[hi]
                        cols[hi] = j
                        hi += 1
                    }
                }
                for k in lo..<hi where y[cols[k]] < 0 { finalJ = cols[k] }
            }
            if finalJ == -1 {
                // Scan: relax the unvisited columns through each column on the scan list. An early exit (a free
                // column reached at the minimum) leaves lo/hi as they were before the scan.
                var sLo = lo, sHi = hi
                scan: while sLo != sHi {
                    let j0 = cols[sLo]
                    sLo += 1
                    let i = y[j0]
                    let mind = d[j0]
                    let h = c(i, j0) - v[j0] - mind
                    for k in sHi..<n {
                        let j = cols[k]
                        let red = c(i, j) - v[j] - h
                        if red < d[j] {
                            d[j] = red
                            pred[j] = i
                            if red == mind {
                                if y[j] < 0 { finalJ = j; break scan }
                                cols[k] = cols[sHi]
                                cols[sHi] = j
                                sHi += 1
                            }
                        }
                    }
                }
                if finalJ == -1 { lo = sLo; hi = sHi }
            }
        }
        let mind = d[cols[lo]]
        for k in 0..<ready { let j = cols[k]; v[j] += d[j] - mind }
        return finalJ
    }
}
