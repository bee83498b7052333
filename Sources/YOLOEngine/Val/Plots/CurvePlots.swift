import Foundation
import YOLOData

/// Line charts in the spirit of the reference's matplotlib curves: axes from 0 to 1, grid, one thin line per class
/// (coloured with a legend entry when there are 1–20 classes, grey otherwise), a thick blue "all classes" line and
/// a legend to the right of the axes.
public enum CurvePlot {
    /// Size of every curve image.
    public static let width = 900
    public static let height = 600

    /// Where the axes are drawn for a legend of width `legendWidth`: (left, top, right, bottom) pixels.
    static func plotArea(legendWidth: Int) -> (l: Int, t: Int, r: Int, b: Int) {
        (72, 44, width - legendWidth - 44, height - 64)
    }

    struct Series {
        var y: [Double]
        var color: BGR
        var halfWidth: Double
        var label: String?
    }

    /// Renders a chart of `series` over `x` (all within [0, 1]).
    static func render(x: [Double], series: [Series], title: String, xLabel: String, yLabel: String,
                       font: FontRenderer) -> Image {
        let legendSize = 13.0, tickSize = 13.0, labelSize = 15.0, titleSize = 17.0
        var chart = ChartCanvas(width: width, height: height, font: font)
        let entries = series.filter { $0.label != nil }
        let textW = entries.map { chart.textWidth($0.label!, size: legendSize) }.max() ?? 0
        let legendW = entries.isEmpty ? 0 : textW + 30 + 8 + 14
        let a = plotArea(legendWidth: legendW)
        func px(_ v: Double) -> Double { Double(a.l) + v * Double(a.r - a.l) }
        func py(_ v: Double) -> Double { Double(a.b) - v * Double(a.b - a.t) }

        // Grid and ticks.
        for k in 0...5 {
            let v = Double(k) / 5
            let gx = Int(px(v).rounded()), gy = Int(py(v).rounded())
            if k > 0 && k < 5 {
                chart.vLine(x: gx, y0: a.t, y1: a.b, color: ChartColors.grid)
                chart.hLine(y: gy, x0: a.l, x1: a.r, color: ChartColors.grid)
            }
            chart.vLine(x: gx, y0: a.b, y1: a.b + 5, color: ChartColors.black)
            chart.hLine(y: gy, x0: a.l - 5, x1: a.l, color: ChartColors.black)
            let label = String(format: "%.1f", v)
            chart.text(label, x: Double(gx), y: Double(a.b + 16), size: tickSize, color: ChartColors.black, align: .center)
            chart.text(label, x: Double(a.l - 9), y: Double(gy), size: tickSize, color: ChartColors.black, align: .right)
        }

        // Curves, clipped to the axes by construction (values in [0, 1]).
        for s in series {
            let n = min(x.count, s.y.count)
            let pts = (0..<n).map { SIMD2(px(x[$0]), py(min(1, max(0, s.y[$0].isNaN ? 0 : s.y[$0])))) }
            chart.polyline(pts, halfWidth: s.halfWidth, color: s.color)
        }
        chart.frame(x0: a.l, y0: a.t, x1: a.r, y1: a.b, color: ChartColors.black)

        // Labels and title.
        chart.text(xLabel, x: Double(a.l + a.r) / 2, y: Double(a.b + 42), size: labelSize, color: ChartColors.black,
                   align: .center)
        chart.verticalText(yLabel, x: 22, y: Double(a.t + a.b) / 2, size: labelSize, color: ChartColors.black)
        chart.text(title, x: Double(a.l + a.r) / 2, y: Double(a.t - 20), size: titleSize, color: ChartColors.black,
                   align: .center)

        // Legend.
        if !entries.isEmpty {
            let lx = a.r + 18, ly = a.t
            let rowH = 22
            let lh = entries.count * rowH + 10
            chart.fill(x0: lx, y0: ly, x1: lx + legendW, y1: ly + lh, color: ChartColors.white)
            chart.frame(x0: lx, y0: ly, x1: lx + legendW, y1: ly + lh, color: ChartColors.legendFrame)
            for (i, e) in entries.enumerated() {
                let cy = Double(ly + 5 + rowH * i + rowH / 2)
                chart.polyline([SIMD2(Double(lx + 8), cy), SIMD2(Double(lx + 36), cy)], halfWidth: e.halfWidth,
                               color: e.color)
                chart.text(e.label!, x: Double(lx + 44), y: cy, size: legendSize, color: ChartColors.black)
            }
        }
        return chart.image
    }

    static let thin = 0.75
    static let thick = 1.9

    /// The per-class series: coloured and labelled for 1–20 classes, grey and unlabelled otherwise.
    static func classSeries(_ rows: [[Double]], labels: [String]) -> [Series] {
        let legend = rows.count > 0 && rows.count < 21
        return rows.enumerated().map { i, y in
            Series(y: y, color: legend ? ChartColors.cycle[i % ChartColors.cycle.count] : ChartColors.gray,
                   halfWidth: thin, label: legend ? labels[i] : nil)
        }
    }

    /// Precision-recall curve: per class "name AP50", and "all classes mAP50 mAP@0.5" (the mean of the per-class
    /// curves).
    public static func precisionRecall(_ c: MetricCurves, font: FontRenderer) -> Image {
        let labels = c.classNames.indices.map { "\(c.classNames[$0]) \(String(format: "%.3f", c.ap50[$0]))" }
        var series = classSeries(c.prPrecision, labels: labels)
        let meanAP = c.ap50.isEmpty ? 0 : c.ap50.reduce(0, +) / Double(c.ap50.count)
        series.append(Series(y: MetricCurves.classMean(c.prPrecision, count: c.confidence.count),
                             color: ChartColors.meanLine, halfWidth: thick,
                             label: "all classes \(String(format: "%.3f", meanAP)) mAP@0.5"))
        return render(x: c.confidence, series: series, title: "Precision-Recall Curve", xLabel: "Recall",
                      yLabel: "Precision", font: font)
    }

    /// A metric-confidence curve (`yLabel` is "F1", "Precision" or "Recall"): per class, and the class mean smoothed
    /// with the 101-point box filter, labelled "all classes <max> at <conf>".
    public static func metricConfidence(_ rows: [[Double]], _ c: MetricCurves, yLabel: String,
                                        font: FontRenderer) -> Image {
        var series = classSeries(rows, labels: c.classNames)
        let mean = APComputation.boxFilter(MetricCurves.classMean(rows, count: c.confidence.count),
                                           width: APComputation.smoothingWidth)
        var best = 0
        for k in mean.indices where mean[k] > mean[best] { best = k }
        let label = mean.isEmpty ? "all classes" :
            "all classes \(String(format: "%.2f", mean[best])) at \(String(format: "%.3f", c.confidence[best]))"
        series.append(Series(y: mean, color: ChartColors.meanLine, halfWidth: thick, label: label))
        return render(x: c.confidence, series: series, title: "\(yLabel)-Confidence Curve", xLabel: "Confidence",
                      yLabel: yLabel, font: font)
    }
}
