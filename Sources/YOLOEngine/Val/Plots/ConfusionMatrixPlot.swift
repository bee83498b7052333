import Foundation
import YOLOData

/// The confusion-matrix heat map, in the spirit of the reference: "Blues" colours from 0 to the largest shown value,
/// cells below 0.005 left blank, values written in cells when there are fewer than 30 rows, class names plus
/// "background" on both axes (True across, Predicted down), a colour bar on the right.
public enum ConfusionMatrixPlot {
    public static let width = 1200
    public static let height = 900

    public static func render(_ cm: ConfusionMatrix, names: [Int: String], normalize: Bool,
                              font: FontRenderer) -> Image {
        let n = cm.nc + 1
        let raw: [[Double]] = normalize ? cm.normalized() : cm.matrix.map { $0.map(Double.init) }
        let values: [[Double?]] = raw.map { $0.map { $0 < 0.005 ? nil : $0 } }
        let vmax = values.flatMap { $0 }.compactMap { $0 }.max() ?? 1
        let labels = (0..<cm.nc).map { names[$0] ?? String($0) } + ["background"]
        let showTicks = n < 100
        let tickSize = max(9, 15 - 0.1 * Double(n)), titleSize = 17.0, labelSize = 15.0
        let cellTextSize = max(8, min(14, 300 / Double(n)))

        var chart = ChartCanvas(width: width, height: height, font: font)
        let maxLabel = showTicks ? (labels.map { chart.textWidth($0, size: tickSize) }.max() ?? 0) : 0
        let top = 60, left = maxLabel + 60, bottom = maxLabel + 64, colorbarW = 150
        let side = max(n, min(width - left - colorbarW, height - top - bottom))
        let cell = Double(side) / Double(n)
        let x0 = Double(left), y0 = Double(top)

        for i in 0..<n {
            for j in 0..<n {
                let xa = Int((x0 + Double(j) * cell).rounded()), xb = Int((x0 + Double(j + 1) * cell).rounded()) - 1
                let ya = Int((y0 + Double(i) * cell).rounded()), yb = Int((y0 + Double(i + 1) * cell).rounded()) - 1
                guard let v = values[i][j] else { continue }
                chart.fill(x0: xa, y0: ya, x1: xb, y1: yb, color: ChartColors.blues(vmax > 0 ? v / vmax : 0))
                if n < 30 {
                    let text = normalize ? String(format: "%.2f", v) : String(Int(v))
                    let threshold = 0.45 * (normalize ? 1 : vmax)
                    chart.text(text, x: x0 + (Double(j) + 0.5) * cell, y: y0 + (Double(i) + 0.5) * cell,
                               size: cellTextSize, color: v > threshold ? ChartColors.white : ChartColors.black,
                               align: .center)
                }
            }
        }
        // Ticks and tick labels.
        let tickStep = showTicks ? 1 : max(1, n / 20)
        for k in stride(from: 0, to: n, by: tickStep) {
            let c = x0 + (Double(k) + 0.5) * cell, r = y0 + (Double(k) + 0.5) * cell
            let bottomY = Int(y0 + Double(side))
            chart.vLine(x: Int(c.rounded()), y0: bottomY, y1: bottomY + 5, color: ChartColors.black)
            chart.hLine(y: Int(r.rounded()), x0: left - 6, x1: left - 1, color: ChartColors.black)
            let label = showTicks ? labels[k] : String(k)
            let w = Double(chart.textWidth(label, size: tickSize))
            chart.verticalText(label, x: c, y: Double(bottomY) + 10 + w / 2, size: tickSize, color: ChartColors.black)
            chart.text(label, x: Double(left - 10), y: r, size: tickSize, color: ChartColors.black, align: .right)
        }
        chart.text("True", x: x0 + Double(side) / 2, y: y0 + Double(side) + Double(maxLabel) + 36, size: labelSize,
                   color: ChartColors.black, align: .center)
        chart.verticalText("Predicted", x: 18, y: y0 + Double(side) / 2, size: labelSize, color: ChartColors.black)
        chart.text(normalize ? "Confusion Matrix Normalized" : "Confusion Matrix", x: x0 + Double(side) / 2,
                   y: Double(top) / 2, size: titleSize, color: ChartColors.black, align: .center)

        // Colour bar.
        let cbx = left + side + 40, cbw = 24, cbTop = top, cbBottom = top + side - 1
        for y in cbTop...cbBottom {
            let t = Double(cbBottom - y) / Double(max(1, cbBottom - cbTop))
            chart.hLine(y: y, x0: cbx, x1: cbx + cbw - 1, color: ChartColors.blues(t))
        }
        for k in 0...4 {
            let v = vmax * Double(k) / 4
            let y = Int((Double(cbBottom) - Double(k) / 4 * Double(cbBottom - cbTop)).rounded())
            chart.hLine(y: y, x0: cbx + cbw, x1: cbx + cbw + 4, color: ChartColors.black)
            let text = normalize || vmax < 8 ? String(format: "%.2f", v) : String(format: "%.0f", v)
            chart.text(text, x: Double(cbx + cbw + 8), y: Double(y), size: tickSize, color: ChartColors.black)
        }
        return chart.image
    }
}
