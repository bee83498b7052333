import Foundation

/// Box and pose metrics of a validation run, the results dictionary and the printed table (spec §5.4–5.5).
public struct PoseMetrics: Sendable, Equatable {
    public var box: ClassMetrics
    public var pose: ClassMetrics
    /// Images seen.
    public var images: Int
    /// GT instances per class, and images containing each class (indexed by class id).
    public var instancesPerClass: [Int]
    public var imagesPerClass: [Int]
    /// Class names by id.
    public var names: [Int: String]

    /// The result keys, in order (the fitness key is separate).
    public static let keys = ["metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
                              "metrics/precision(P)", "metrics/recall(P)", "metrics/mAP50(P)", "metrics/mAP50-95(P)"]

    public init(box: ClassMetrics, pose: ClassMetrics, images: Int, instancesPerClass: [Int], imagesPerClass: [Int],
                names: [Int: String]) {
        self.box = box
        self.pose = pose
        self.images = images
        self.instancesPerClass = instancesPerClass
        self.imagesPerClass = imagesPerClass
        self.names = names
    }

    /// Runs the AP computation twice (box `tp`, pose `tpPose`) over the same conf / class arrays.
    public init(stats: DetectionStats, names: [Int: String]) {
        let nc = max(names.count, (names.keys.max() ?? -1) + 1)
        box = APComputation.compute(tp: stats.tp, conf: stats.conf, predCls: stats.predCls,
                                    targetCls: stats.targetCls, names: names)
        pose = APComputation.compute(tp: stats.tpPose ?? [], conf: stats.tpPose == nil ? [] : stats.conf,
                                     predCls: stats.tpPose == nil ? [] : stats.predCls, targetCls: stats.targetCls,
                                     names: names)
        images = stats.images
        instancesPerClass = stats.instancesPerClass(nc: nc)
        imagesPerClass = stats.imagesPerClass(nc: nc)
        self.names = names
    }

    /// [mP, mR, mAP50, mAP50-95] of box, then of pose.
    public var meanResults: [Double] { box.meanResults + pose.meanResults }
    /// [P, R, AP50, AP50-95] of box then pose for row i of `box.classIndex`.
    public func classResult(_ i: Int) -> [Double] { box.classResult(i) + pose.classResult(i) }
    /// mAP50-95(B) + mAP50-95(P).
    public var fitness: Double { box.fitness + pose.fitness }
    /// Total GT instances.
    public var instances: Int { instancesPerClass.reduce(0, +) }

    /// The 8 metrics under their keys, plus "fitness".
    public var resultsDict: [String: Double] {
        var d = [String: Double]()
        for (k, v) in zip(Self.keys, meanResults) { d[k] = v }
        d["fitness"] = fitness
        return d
    }

    /// `Class Images Instances Box(P R mAP50 mAP50-95) Pose(P R mAP50 mAP50-95)` as %22s + ten %11s.
    public static func tableHeader() -> String {
        PyFormat.s("Class", 22) + ["Images", "Instances", "Box(P", "R", "mAP50", "mAP50-95)",
                                   "Pose(P", "R", "mAP50", "mAP50-95)"].map { PyFormat.s($0, 11) }.joined()
    }
    public func tableHeader() -> String { Self.tableHeader() }

    /// One table row: %22s, %11i, %11i, then the values as %11.3g (defaults to the 8 mean results).
    public func tableRow(name: String = "all", images: Int? = nil, instances: Int? = nil,
                         values: [Double]? = nil) -> String {
        Self.formatRow(name: name, images: images ?? self.images, instances: instances ?? self.instances,
                       values: values ?? meanResults)
    }

    public static func formatRow(name: String, images: Int, instances: Int, values: [Double]) -> String {
        PyFormat.s(name, 22) + PyFormat.i(images, 11) + PyFormat.i(instances, 11)
            + values.map { PyFormat.g($0, width: 11, precision: 3) }.joined()
    }

    /// The per-class rows printed after the "all" row (standalone, verbose, more than one class):
    /// name, images containing the class, its instances, its 8 values.
    public func classRows() -> [String] {
        box.classIndex.enumerated().map { i, c in
            Self.formatRow(name: names[c] ?? String(c), images: imagesPerClass[c], instances: instancesPerClass[c],
                           values: classResult(i))
        }
    }
}

/// Python %-formatting for the table fields.
public enum PyFormat {
    /// "%<width>s": right-aligned, never truncated.
    public static func s(_ v: String, _ width: Int) -> String {
        v.count >= width ? v : String(repeating: " ", count: width - v.count) + v
    }

    /// "%<width>i".
    public static func i(_ v: Int, _ width: Int) -> String { s(String(v), width) }

    /// "%<width>.<precision>g" as Python prints it ("nan", "inf", "-inf" for non-finite values).
    public static func g(_ v: Double, width: Int, precision: Int = 3) -> String {
        let body: String
        if v.isNaN {
            body = "nan"
        } else if v.isInfinite {
            body = v < 0 ? "-inf" : "inf"
        } else {
            body = String(format: "%.\(precision)g", v)
        }
        return s(body, width)
    }
}
