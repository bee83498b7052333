import Foundation

/// Per-image validation statistics, concatenated over the whole run (spec §5.3, last bullet).
public struct DetectionStats: Sendable, Equatable {
    /// Box TP matrix, one row of 10 thresholds per prediction.
    public var tp: [[Bool]] = []
    /// Pose (OKS) TP matrix, same shape as `tp`; nil for detection-only statistics.
    public var tpPose: [[Bool]]?
    public var conf: [Float] = []
    public var predCls: [Int] = []
    public var targetCls: [Int] = []
    /// The unique classes of each image, concatenated (for the per-class "Images" count).
    public var targetImg: [Int] = []
    /// Number of images appended.
    public var images: Int = 0

    public init(pose: Bool = true) { tpPose = pose ? [] : nil }

    public init(tp: [[Bool]], tpPose: [[Bool]]?, conf: [Float], predCls: [Int], targetCls: [Int],
                targetImg: [Int]? = nil, images: Int = 0) {
        self.tp = tp
        self.tpPose = tpPose
        self.conf = conf
        self.predCls = predCls
        self.targetCls = targetCls
        self.targetImg = targetImg ?? Array(Set(targetCls)).sorted()
        self.images = images
    }

    /// Appends one image: its predictions (in NMS order) and its GT classes.
    public mutating func append(tp: [[Bool]], tpPose: [[Bool]]? = nil, conf: [Float], predCls: [Int],
                                targetCls: [Int]) {
        precondition(tp.count == conf.count && predCls.count == conf.count, "one tp row, conf and class per prediction")
        self.tp += tp
        if self.tpPose != nil {
            guard let tpPose else { preconditionFailure("pose statistics need tpPose") }
            precondition(tpPose.count == conf.count, "one tpPose row per prediction")
            self.tpPose! += tpPose
        }
        self.conf += conf
        self.predCls += predCls
        self.targetCls += targetCls
        targetImg += Array(Set(targetCls)).sorted()
        images += 1
    }

    /// GT instances per class (bincount with at least `nc` bins).
    public func instancesPerClass(nc: Int) -> [Int] { bincount(targetCls, minLength: nc) }
    /// Images containing each class (bincount of the per-image unique classes).
    public func imagesPerClass(nc: Int) -> [Int] { bincount(targetImg, minLength: nc) }

    private func bincount(_ v: [Int], minLength: Int) -> [Int] {
        var out = [Int](repeating: 0, count: max(minLength, (v.max() ?? -1) + 1))
        for c in v { out[c] += 1 }
        return out
    }
}

/// AP / P / R per class for one kind of TP matrix (spec §5.4). Metric values are Double (the reference computes
/// them in float64).
public struct ClassMetrics: Sendable, Equatable {
    /// The classes present in the GT, ascending; row i of every per-class array belongs to `classIndex[i]`.
    public var classIndex: [Int] = []
    /// Class names for `classIndex` (from `names`, or the index as a string).
    public var classNames: [String] = []
    /// Precision and recall at the max-mean-F1 confidence, per class.
    public var p: [Double] = []
    public var r: [Double] = []
    /// F1 per class at that confidence.
    public var f1: [Double] = []
    /// AP per class and threshold (nClasses × 10).
    public var apPerThreshold: [[Double]] = []
    /// Index into the 1000-point confidence grid where the smoothed mean F1 peaks, and that confidence.
    public var bestConfIndex: Int = 0
    public var bestConf: Double = 0

    public init() {}

    /// AP at IoU 0.5 per class.
    public var ap50: [Double] { apPerThreshold.map { $0[0] } }
    /// AP averaged over the 10 thresholds, per class.
    public var ap: [Double] { apPerThreshold.map { $0.reduce(0, +) / Double($0.count) } }
    public var mp: Double { mean(p) }
    public var mr: Double { mean(r) }
    public var map50: Double { mean(ap50) }
    /// AP at IoU 0.75 averaged over classes.
    public var map75: Double { mean(apPerThreshold.map { $0[5] }) }
    /// mAP50-95: the mean over all classes and thresholds.
    public var map: Double { mean(apPerThreshold.flatMap { $0 }) }
    /// [mP, mR, mAP50, mAP50-95].
    public var meanResults: [Double] { [mp, mr, map50, map] }
    /// [P, R, AP50, AP50-95] of row i.
    public func classResult(_ i: Int) -> [Double] { [p[i], r[i], ap50[i], ap[i]] }
    /// mAP50-95 (NaN counted as 0), the fitness of one metric set.
    public var fitness: Double { map.isNaN ? 0 : map }

    private func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }
}

/// Curve data behind the validation plots (spec §5.4), one row per class of `classIndex` (the GT classes).
public struct MetricCurves: Sendable, Equatable {
    public var classIndex: [Int]
    public var classNames: [String]
    /// The 1000-point grid linspace(0, 1, 1000): confidence for the P / R / F1 curves, recall for the PR curve.
    public var confidence: [Double]
    /// Precision, recall and F1 (IoU-0.5 column) against `confidence`, per class (all zeros for a class without
    /// predictions). `f1` is empty when there are no classes.
    public var precision: [[Double]]
    public var recall: [[Double]]
    public var f1: [[Double]]
    /// Precision against recall (`confidence` is the recall grid), per class: the monotone envelope used for AP,
    /// interpolated at the 1000 recalls; zeros for a class without predictions.
    public var prPrecision: [[Double]]
    /// AP at IoU 0.5 per class.
    public var ap50: [Double]

    public init(classIndex: [Int], classNames: [String], confidence: [Double], precision: [[Double]],
                recall: [[Double]], f1: [[Double]], prPrecision: [[Double]], ap50: [Double]) {
        self.classIndex = classIndex
        self.classNames = classNames
        self.confidence = confidence
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.prPrecision = prPrecision
        self.ap50 = ap50
    }

    /// The grid used as recall axis of the PR curve.
    public var recallGrid: [Double] { confidence }

    /// Mean over classes at each grid point (zeros when there are no classes).
    public static func classMean(_ rows: [[Double]], count: Int) -> [Double] {
        guard !rows.isEmpty else { return [Double](repeating: 0, count: count) }
        return (0..<count).map { k in rows.reduce(0) { $0 + $1[k] } / Double(rows.count) }
    }
}

public enum APComputation {
    /// Number of points of the confidence grid used to pick P and R.
    public static let confidenceGridCount = 1000
    /// Width of the box filter applied to the mean F1 curve.
    public static let smoothingWidth = 101

    /// Computes per-class AP (10 thresholds), and P / R at the confidence of maximal smoothed mean F1.
    /// Classes are those present in `targetCls`; classes only predicted are ignored. `tp` rows are per prediction.
    public static func compute(tp: [[Bool]], conf: [Float], predCls: [Int], targetCls: [Int],
                               names: [Int: String] = [:]) -> ClassMetrics {
        computeWithCurves(tp: tp, conf: conf, predCls: predCls, targetCls: targetCls, names: names).metrics
    }

    /// `compute`, plus the curve data the validation plots draw (see `MetricCurves`). The metrics are identical to
    /// those `compute` returns.
    public static func computeWithCurves(tp: [[Bool]], conf: [Float], predCls: [Int], targetCls: [Int],
                                         names: [Int: String] = [:]) -> (metrics: ClassMetrics, curves: MetricCurves) {
        precondition(tp.count == conf.count && predCls.count == conf.count, "one tp row, conf and class per prediction")
        let nT = tp.first?.count ?? Matching.iouThresholds.count
        // Predictions by descending confidence; ties keep their input order.
        let order = conf.indices.sorted { conf[$0] != conf[$1] ? conf[$0] > conf[$1] : $0 < $1 }
        var gtCount: [Int: Int] = [:]
        for c in targetCls { gtCount[c, default: 0] += 1 }
        let classes = gtCount.keys.sorted()

        let grid = linspace(0, 1, confidenceGridCount)
        let negGrid = grid.map { -$0 }
        var out = ClassMetrics()
        out.classIndex = classes
        out.classNames = classes.map { names[$0] ?? String($0) }
        out.apPerThreshold = [[Double]](repeating: [Double](repeating: 0, count: nT), count: classes.count)
        var pCurve = [[Double]](repeating: [Double](repeating: 0, count: grid.count), count: classes.count)
        var rCurve = pCurve
        // Precision on the 1000-point recall grid (the interpolated envelope of the IoU-0.5 column), zeros for
        // classes without predictions.
        var prCurve = pCurve

        for (ci, c) in classes.enumerated() {
            let idx = order.filter { predCls[$0] == c }
            let nL = gtCount[c]!
            if idx.isEmpty || nL == 0 { continue }
            let negConf = idx.map { -Double(conf[$0]) }
            let denomL = Double(nL) + 1e-16
            var recall = [[Double]](repeating: [], count: nT)
            var precision = [[Double]](repeating: [], count: nT)
            for j in 0..<nT {
                var tpc = 0, fpc = 0
                recall[j].reserveCapacity(idx.count)
                precision[j].reserveCapacity(idx.count)
                for i in idx {
                    if tp[i][j] { tpc += 1 } else { fpc += 1 }
                    recall[j].append(Double(tpc) / denomL)
                    precision[j].append(Double(tpc) / Double(tpc + fpc))
                }
            }
            rCurve[ci] = NumPy.interp(negGrid, negConf, recall[0], left: 0)
            pCurve[ci] = NumPy.interp(negGrid, negConf, precision[0], left: 1)
            for j in 0..<nT {
                out.apPerThreshold[ci][j] = averagePrecision(recall: recall[j], precision: precision[j])
            }
            let env = precisionEnvelope(recall: recall[0], precision: precision[0])
            prCurve[ci] = NumPy.interp(grid, env.recall, env.precision)
        }

        var curves = MetricCurves(classIndex: classes, classNames: out.classNames, confidence: grid,
                                  precision: pCurve, recall: rCurve, f1: pCurve, prPrecision: prCurve,
                                  ap50: out.apPerThreshold.map { $0.first ?? 0 })
        guard !classes.isEmpty else {
            curves.f1 = []
            return (out, curves)
        }
        var f1Curve = pCurve
        for ci in classes.indices {
            for k in grid.indices {
                let p = pCurve[ci][k], r = rCurve[ci][k]
                f1Curve[ci][k] = 2 * p * r / (p + r + 1e-16)
            }
        }
        var meanF1 = [Double](repeating: 0, count: grid.count)
        for k in grid.indices {
            var s = 0.0
            for ci in classes.indices { s += f1Curve[ci][k] }
            meanF1[k] = s / Double(classes.count)
        }
        let smoothed = boxFilter(meanF1, width: smoothingWidth)
        var best = 0
        for k in smoothed.indices where smoothed[k] > smoothed[best] { best = k }
        out.bestConfIndex = best
        out.bestConf = grid[best]
        out.p = pCurve.map { $0[best] }
        out.r = rCurve.map { $0[best] }
        out.f1 = f1Curve.map { $0[best] }
        curves.f1 = f1Curve
        return (out, curves)
    }

    /// The interpolation curve used by `averagePrecision`: (0, 1), the given points, (last recall, 0), (1, 0), with
    /// precision made non-increasing from the right.
    public static func precisionEnvelope(recall: [Double], precision: [Double]) -> (recall: [Double], precision: [Double]) {
        precondition(recall.count == precision.count)
        var mrec = [0.0] + recall
        var mpre = [1.0] + precision
        mrec.append(recall.last ?? 0)
        mpre.append(0)
        mrec.append(1)
        mpre.append(0)
        for i in stride(from: mpre.count - 2, through: 0, by: -1) { mpre[i] = max(mpre[i], mpre[i + 1]) }
        return (mrec, mpre)
    }

    /// Precision sampled at the 101 recalls 0, 0.01, …, 1 (the points `averagePrecision` integrates).
    public static func precision101(recall: [Double], precision: [Double]) -> [Double] {
        let env = precisionEnvelope(recall: recall, precision: precision)
        return NumPy.interp(linspace(0, 1, 101), env.recall, env.precision)
    }

    /// COCO-style 101-point interpolated AP of one precision/recall sequence (predictions by descending confidence).
    /// The curve is (0, 1), the given points, (last recall, 0), (1, 0); precision is made non-increasing from the
    /// right, sampled at recall 0, 0.01, …, 1 with np.interp semantics, and integrated with the trapezoid rule.
    public static func averagePrecision(recall: [Double], precision: [Double]) -> Double {
        NumPy.trapezoid(precision101(recall: recall, precision: precision), linspace(0, 1, 101))
    }

    /// `count` evenly spaced values from `start` to `stop` inclusive, computed as numpy.linspace does.
    public static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        var v = (0..<count).map { Double($0) * step + start }
        v[count - 1] = stop
        return v
    }

    /// Box filter of odd `width` with edge padding (width/2 copies of the first and last values), same length out.
    public static func boxFilter(_ y: [Double], width: Int) -> [Double] {
        guard !y.isEmpty else { return [] }
        let half = width / 2
        let padded = [Double](repeating: y[0], count: half) + y + [Double](repeating: y[y.count - 1], count: half)
        let w = 1.0 / Double(width)
        return (0..<y.count).map { i in
            var s = 0.0
            for k in 0..<width { s += padded[i + k] * w }
            return s
        }
    }
}

/// The few NumPy routines whose exact semantics the metrics depend on.
public enum NumPy {
    /// numpy.interp: piecewise-linear interpolation of (xp, fp) at x; xp must be non-decreasing. Below xp[0] gives
    /// `left` (default fp[0]), above xp[last] gives `right` (default fp[last]). With repeated xp values the right-most
    /// one is used, so at a duplicated x the value is that of the last duplicate.
    public static func interp(_ x: [Double], _ xp: [Double], _ fp: [Double], left: Double? = nil,
                              right: Double? = nil) -> [Double] {
        precondition(xp.count == fp.count && !xp.isEmpty, "interp needs matching, non-empty xp and fp")
        let n = xp.count
        let lv = left ?? fp[0], rv = right ?? fp[n - 1]
        return x.map { v in
            if v.isNaN { return v }
            if v > xp[n - 1] { return rv }
            if v < xp[0] { return lv }
            // j = the last index with xp[j] <= v.
            var lo = 0, hi = n  // first index with xp > v lies in [lo, hi]
            while lo < hi {
                let mid = (lo + hi) / 2
                if xp[mid] <= v { lo = mid + 1 } else { hi = mid }
            }
            let j = lo - 1
            if j == n - 1 || xp[j] == v { return fp[j] }
            let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
            var r = slope * (v - xp[j]) + fp[j]
            if r.isNaN {
                r = slope * (v - xp[j + 1]) + fp[j + 1]
                if r.isNaN && fp[j] == fp[j + 1] { r = fp[j] }
            }
            return r
        }
    }

    /// numpy.trapezoid(y, x).
    public static func trapezoid(_ y: [Double], _ x: [Double]) -> Double {
        precondition(x.count == y.count)
        var s = 0.0
        for i in 1..<max(y.count, 1) { s += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2 }
        return s
    }
}
