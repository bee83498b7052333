import Foundation
import YOLOData

/// `results.png` of a training run (spec §2.17): one small chart per loss and metric column of results.csv against
/// the epoch, the values with dots and a Gaussian-smoothed (σ = 3) dotted line, laid out as the reference does:
/// two rows, the first half of the losses then the first half of the metrics on top, the rest below.
public enum ResultsPlot {
    /// Writes the chart of `columns` (`results.csv` read as {column: values}) to `url` (PNG).
    public static func write(columns: [(String, [Double])], to url: URL, font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        guard let x = columns.first(where: { $0.0 == "epoch" })?.1, !x.isEmpty else { return }
        let losses = columns.filter { $0.0.contains("loss") }, metrics = columns.filter { !$0.0.contains("loss") && $0.0.contains("metric") }
        let lm = losses.count / 2, mm = (metrics.count + 1) / 2
        let ordered = Array(losses[..<lm]) + Array(metrics[..<mm]) + Array(losses[lm...]) + Array(metrics[mm...])
        let cols = max((ordered.count + 1) / 2, 1)
        let (cw, ch) = (300, 300)
        var canvas = ChartCanvas(width: cw * cols, height: ch * 2, font: font)
        for (i, (name, y)) in ordered.enumerated() {
            panel(&canvas, x: x, y: y, title: name, x0: (i % cols) * cw, y0: (i / cols) * ch, w: cw, h: ch)
        }
        try ImageIO.writePNG(canvas.image, to: url)
    }

    /// One chart inside the cell at (x0, y0).
    static func panel(_ c: inout ChartCanvas, x: [Double], y: [Double], title: String, x0: Int, y0: Int, w: Int, h: Int) {
        let a = (l: x0 + 52, t: y0 + 34, r: x0 + w - 14, b: y0 + h - 34)
        let ys = y.filter(\.isFinite)
        var (lo, hi) = (ys.min() ?? 0, ys.max() ?? 1)
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.05
        (lo, hi) = (lo - pad, hi + pad)
        let (xl, xh) = (x.first ?? 0, max(x.last ?? 1, (x.first ?? 0) + 1))
        func px(_ v: Double) -> Double { Double(a.l) + (v - xl) / (xh - xl) * Double(a.r - a.l) }
        func py(_ v: Double) -> Double { Double(a.b) - (v - lo) / (hi - lo) * Double(a.b - a.t) }
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            let gy = Int(py(v).rounded())
            c.hLine(y: gy, x0: a.l - 4, x1: a.l, color: ChartColors.black)
            c.text(String(format: "%.3g", v), x: Double(a.l - 6), y: Double(gy), size: 10, color: ChartColors.black, align: .right)
        }
        for k in 0...4 {
            let v = xl + (xh - xl) * Double(k) / 4
            let gx = Int(px(v).rounded())
            c.vLine(x: gx, y0: a.b, y1: a.b + 4, color: ChartColors.black)
            c.text(String(format: "%.3g", v), x: Double(gx), y: Double(a.b + 13), size: 10, color: ChartColors.black, align: .center)
        }
        let n = min(x.count, y.count)
        let pts = (0..<n).map { SIMD2(px(x[$0]), py(y[$0].isFinite ? y[$0] : lo)) }
        c.polyline(pts, halfWidth: 1.0, color: ChartColors.cycle[0])
        for p in pts { c.fill(x0: Int(p.x) - 2, y0: Int(p.y) - 2, x1: Int(p.x) + 2, y1: Int(p.y) + 2, color: ChartColors.cycle[0]) }
        let smooth = gaussianSmooth(Array(y.prefix(n)), sigma: 3)
        let sp = (0..<n).map { SIMD2(px(x[$0]), py(smooth[$0].isFinite ? smooth[$0] : lo)) }
        var dash = 0
        while dash + 1 < sp.count {
            c.polyline([sp[dash], sp[dash + 1]], halfWidth: 1.0, color: ChartColors.cycle[1])
            dash += 2
        }
        c.frame(x0: a.l, y0: a.t, x1: a.r, y1: a.b, color: ChartColors.black)
        c.text(title, x: Double(a.l + a.r) / 2, y: Double(a.t - 14), size: 12, color: ChartColors.black, align: .center)
    }

    /// A Gaussian filter with reflected borders (scipy's gaussian_filter1d default, truncated at 4σ).
    static func gaussianSmooth(_ y: [Double], sigma: Double) -> [Double] {
        guard y.count > 1 else { return y }
        let r = Int(4 * sigma + 0.5)
        let w = (-r...r).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = w.reduce(0, +)
        let n = y.count
        func at(_ i: Int) -> Double {
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j - 1 : 2 * n - j - 1 }
            return y[j]
        }
        return (0..<n).map { i in (-r...r).reduce(0.0) { $0 + w[$1 + r] * at(i + $1) } / total }
    }
}
