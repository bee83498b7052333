import Foundation
import YOLOData

/// The validation plots written with `plots=True` (spec §2.17), under the reference's file names.
public enum ValPlots {
    /// The curve files, for prefix "Box" or "Pose": PR, F1, P, R.
    public static func curveFileNames(prefix: String) -> [String] {
        ["\(prefix)PR_curve.png", "\(prefix)F1_curve.png", "\(prefix)P_curve.png", "\(prefix)R_curve.png"]
    }
    public static let confusionFileNames = ["confusion_matrix_normalized.png", "confusion_matrix.png"]
    /// val_batch{k}_labels.jpg and val_batch{k}_pred.jpg.
    public static func batchFileNames(_ k: Int) -> (labels: String, pred: String) {
        ("val_batch\(k)_labels.jpg", "val_batch\(k)_pred.jpg")
    }
    /// Only the first 3 batches are plotted.
    public static let plottedBatches = 3

    /// Writes the four curves of one TP matrix (`prefix` "Box" or "Pose") from already computed curve data.
    public static func writeCurves(_ curves: MetricCurves, prefix: String, to dir: URL,
                                   font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let names = curveFileNames(prefix: prefix)
        try ImageIO.writePNG(CurvePlot.precisionRecall(curves, font: font), to: dir.appendingPathComponent(names[0]))
        try ImageIO.writePNG(CurvePlot.metricConfidence(curves.f1, curves, yLabel: "F1", font: font),
                             to: dir.appendingPathComponent(names[1]))
        try ImageIO.writePNG(CurvePlot.metricConfidence(curves.precision, curves, yLabel: "Precision", font: font),
                             to: dir.appendingPathComponent(names[2]))
        try ImageIO.writePNG(CurvePlot.metricConfidence(curves.recall, curves, yLabel: "Recall", font: font),
                             to: dir.appendingPathComponent(names[3]))
    }

    /// Box and pose curve data of a run (the same computation as `PoseMetrics(stats:names:)`).
    public static func curves(stats: DetectionStats, names: [Int: String]) -> (box: MetricCurves, pose: MetricCurves?) {
        let box = APComputation.computeWithCurves(tp: stats.tp, conf: stats.conf, predCls: stats.predCls,
                                                  targetCls: stats.targetCls, names: names).curves
        let pose = stats.tpPose.map {
            APComputation.computeWithCurves(tp: $0, conf: stats.conf, predCls: stats.predCls,
                                            targetCls: stats.targetCls, names: names).curves
        }
        return (box, pose)
    }

    /// Writes BoxPR/F1/P/R_curve.png and, for pose statistics, PosePR/F1/P/R_curve.png.
    public static func writeCurves(stats: DetectionStats, names: [Int: String], to dir: URL,
                                   font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        let c = curves(stats: stats, names: names)
        try writeCurves(c.box, prefix: "Box", to: dir, font: font)
        if let pose = c.pose { try writeCurves(pose, prefix: "Pose", to: dir, font: font) }
    }

    /// Writes confusion_matrix.png and confusion_matrix_normalized.png.
    public static func writeConfusionMatrix(_ cm: ConfusionMatrix, names: [Int: String], to dir: URL,
                                            font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for normalize in [true, false] {
            let img = ConfusionMatrixPlot.render(cm, names: names, normalize: normalize, font: font)
            try ImageIO.writePNG(img, to: dir.appendingPathComponent(confusionFileNames[normalize ? 0 : 1]))
        }
    }

    /// Writes val_batch{index}_labels.jpg and val_batch{index}_pred.jpg for one batch (call it for batches 0–2
    /// while validating; the predictions are in letterboxed input pixels, as NMS returns them).
    public static func writeBatch(_ batch: ValBatch, predictions: [[Detection]], index: Int, names: [Int: String],
                                  to dir: URL, maxDet: Int = 300, font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = batchFileNames(index)
        try ImageIO.writeJPEG(BatchMosaic.render(batch: batch, names: names, font: font),
                              to: dir.appendingPathComponent(files.labels))
        try ImageIO.writeJPEG(BatchMosaic.render(batch: batch, predictions: predictions, names: names, maxDet: maxDet,
                                                 font: font),
                              to: dir.appendingPathComponent(files.pred))
    }

    /// Writes every validation plot: the mosaics of the first 3 `batches`, the confusion matrices and the curves.
    public static func writeAll(stats: DetectionStats, metrics: PoseMetrics, confusion: ConfusionMatrix,
                                batches: [(ValBatch, [[Detection]])], names: [Int: String]? = nil,
                                to dir: URL) throws {
        let font = try FontRenderer.shared()
        let names = names ?? metrics.names
        for (k, b) in batches.prefix(plottedBatches).enumerated() {
            try writeBatch(b.0, predictions: b.1, index: k, names: names, to: dir, font: font)
        }
        try writeConfusionMatrix(confusion, names: names, to: dir, font: font)
        try writeCurves(stats: stats, names: names, to: dir, font: font)
    }
}
