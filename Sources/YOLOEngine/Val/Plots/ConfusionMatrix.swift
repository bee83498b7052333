import Foundation

/// Box confusion matrix of a detection validation run, with a background row and column.
///
/// `matrix[predicted][true]`, both indices in 0...nc, where index `nc` is "background". Per image:
/// * detections with conf **>** `conf` are kept. The reference validator passes its own `conf` argument, 0.001 for
///   a default val run (verified: 8.4.190's confusion_matrix.png for overfit-n-pose on coco8-pose counts 1379
///   background FPs), so that is the default here; pass the validator's `conf` option to follow a user override.
///   (0.25 is only the reference accumulator's unused default argument.)
/// * with no GT, every kept detection is an FP (`[cls][nc]`); with no detection, every GT is an FN (`[nc][cls]`);
/// * otherwise matching is class-agnostic and greedy: detections having some IoU > `iouThreshold` are visited by
///   descending confidence (ties keep input order); each takes its best GT (first index on ties) among those not
///   yet claimed, when that IoU is > `iouThreshold`, and counts `[det cls][gt cls]` (TP when the classes agree,
///   otherwise a confusion); unmatched GT count `[nc][gt cls]`, unmatched kept detections `[det cls][nc]`.
public struct ConfusionMatrix: Sendable, Equatable {
    public let nc: Int
    public var conf: Float
    public var iouThreshold: Float
    /// (nc + 1) × (nc + 1) counts, indexed [predicted][true].
    public private(set) var matrix: [[Int]]

    /// Adds another matrix's counts (the same nc), e.g. another rank's.
    public mutating func add(counts: [[Int]]) {
        precondition(counts.count == matrix.count && counts.allSatisfy { $0.count == matrix.count },
                     "ConfusionMatrix.add: \(counts.count) rows for nc \(nc)")
        for i in matrix.indices { for j in matrix.indices { matrix[i][j] += counts[i][j] } }
    }

    public init(nc: Int, conf: Float = 0.001, iouThreshold: Float = 0.45) {
        precondition(nc >= 0, "ConfusionMatrix: nc must be ≥ 0")
        self.nc = nc
        self.conf = conf
        self.iouThreshold = iouThreshold
        matrix = [[Int]](repeating: [Int](repeating: 0, count: nc + 1), count: nc + 1)
    }

    /// Adds one image. `detections` are in the same pixel space as `gtBoxes` (xyxy; letterboxed input pixels in
    /// the validator).
    public mutating func process(detections: [Detection], gtBoxes: [SIMD4<Float>], gtClasses: [Int]) {
        precondition(gtBoxes.count == gtClasses.count, "one class per GT box")
        let bg = nc
        if gtClasses.isEmpty {
            for d in detections where d.conf > conf { matrix[d.cls][bg] += 1 }
            return
        }
        let dets = detections.filter { $0.conf > conf }
        if dets.isEmpty {
            for g in gtClasses { matrix[bg][g] += 1 }
            return
        }
        var iou = Matching.boxIoU(gtBoxes, dets.map(\.box))  // GT × det
        let nG = gtClasses.count
        var gtMatch = [Int](repeating: -1, count: nG)
        let candidates = dets.indices.filter { d in (0..<nG).contains { iou[$0][d] > iouThreshold } }
        let ordered = candidates.enumerated().sorted { a, b in
            dets[a.element].conf != dets[b.element].conf ? dets[a.element].conf > dets[b.element].conf : a.offset < b.offset
        }.map(\.element)
        for d in ordered {
            var best = 0
            for g in 1..<nG where iou[g][d] > iou[best][d] { best = g }
            if iou[best][d] > iouThreshold {
                gtMatch[best] = d
                for k in iou[best].indices { iou[best][k] = 0 }
            }
        }
        var matched = Set<Int>()
        for (g, gc) in gtClasses.enumerated() {
            let d = gtMatch[g]
            if d >= 0 {
                matrix[dets[d].cls][gc] += 1
                matched.insert(d)
            } else {
                matrix[bg][gc] += 1
            }
        }
        for (i, d) in dets.enumerated() where !matched.contains(i) { matrix[d.cls][bg] += 1 }
    }

    /// Each column divided by its sum (+1e-9), as the normalised plot shows it.
    public func normalized() -> [[Double]] {
        let n = nc + 1
        let colSum = (0..<n).map { j in Double((0..<n).reduce(0) { $0 + matrix[$1][j] }) + 1e-9 }
        return matrix.map { row in row.enumerated().map { Double($1) / colSum[$0] } }
    }

    /// True positives (the diagonal) and false positives (row sum − diagonal) per class, background excluded.
    public func tpFp() -> (tp: [Int], fp: [Int]) {
        let tp = (0..<nc).map { matrix[$0][$0] }
        let fp = (0..<nc).map { matrix[$0].reduce(0, +) - matrix[$0][$0] }
        return (tp, fp)
    }
}
