import Foundation
import YOLOData

/// `labels.jpg` of a training run (spec §2.17): the training labels at a glance in four panels — instances per
/// class, every box outline drawn about the centre, box centres (x, y) and box sizes (w, h), in normalised units.
public enum LabelsPlot {
    public static func write(labels: [[PoseLabel]], names: [Int: String], to url: URL, font: FontRenderer? = nil) throws {
        let font = try font ?? FontRenderer.shared()
        let all = labels.flatMap { $0 }
        let side = 400
        var c = ChartCanvas(width: side * 2, height: side * 2, font: font)
        let nc = max(names.count, (all.map(\.cls).max() ?? -1) + 1, 1)
        var counts = [Int](repeating: 0, count: nc)
        for l in all where l.cls >= 0 && l.cls < nc { counts[l.cls] += 1 }
        // Panel 1: instances per class.
        let a1 = (l: 60, t: 30, r: side - 20, b: side - 60)
        let top = Double(max(counts.max() ?? 1, 1))
        let bw = Double(a1.r - a1.l) / Double(nc)
        for (k, n) in counts.enumerated() {
            let x0 = a1.l + Int(Double(k) * bw + bw * 0.1), x1 = a1.l + Int(Double(k + 1) * bw - bw * 0.1)
            let y0 = a1.b - Int(Double(n) / top * Double(a1.b - a1.t))
            c.fill(x0: x0, y0: y0, x1: max(x1, x0 + 1), y1: a1.b, color: ChartColors.cycle[k % ChartColors.cycle.count])
            if nc <= 30 {
                c.text(names[k] ?? String(k), x: Double(x0 + x1) / 2, y: Double(a1.b + 14), size: 11, color: ChartColors.black, align: .center)
            }
        }
        c.frame(x0: a1.l, y0: a1.t, x1: a1.r, y1: a1.b, color: ChartColors.black)
        c.text("instances", x: Double(a1.l + a1.r) / 2, y: Double(a1.b + 36), size: 13, color: ChartColors.black, align: .center)
        c.text(String(Int(top)), x: Double(a1.l - 6), y: Double(a1.t), size: 11, color: ChartColors.black, align: .right)
        // Panel 2: box outlines about the centre (at most 1000).
        let a2 = (l: side + 30, t: 30, r: 2 * side - 30, b: side - 30)
        for l in all.prefix(1000) {
            let w = Double(l.box.z) * Double(a2.r - a2.l), h = Double(l.box.w) * Double(a2.b - a2.t)
            let cx = Double(a2.l + a2.r) / 2, cy = Double(a2.t + a2.b) / 2
            let pts = [SIMD2(cx - w / 2, cy - h / 2), SIMD2(cx + w / 2, cy - h / 2), SIMD2(cx + w / 2, cy + h / 2),
                       SIMD2(cx - w / 2, cy + h / 2), SIMD2(cx - w / 2, cy - h / 2)]
            c.polyline(pts, halfWidth: 0.5, color: ChartColors.cycle[(l.cls >= 0 ? l.cls : 0) % ChartColors.cycle.count])
        }
        c.frame(x0: a2.l, y0: a2.t, x1: a2.r, y1: a2.b, color: ChartColors.black)
        // Panels 3 and 4: centres and sizes.
        for (panel, pick, xl, yl) in [(2, { (b: SIMD4<Float>) in (b.x, b.y) }, "x", "y"), (3, { (b: SIMD4<Float>) in (b.z, b.w) }, "width", "height")] {
            let ox = (panel % 2) * side, oy = (panel / 2) * side
            let a = (l: ox + 60, t: oy + 20, r: ox + side - 20, b: oy + side - 50)
            for l in all {
                let (u, v) = pick(l.box)
                let px = a.l + Int(Double(min(max(u, 0), 1)) * Double(a.r - a.l))
                let py = a.b - Int(Double(min(max(v, 0), 1)) * Double(a.b - a.t))
                c.fill(x0: px - 1, y0: py - 1, x1: px + 2, y1: py + 2, color: ChartColors.cycle[0])
            }
            c.frame(x0: a.l, y0: a.t, x1: a.r, y1: a.b, color: ChartColors.black)
            c.text(xl, x: Double(a.l + a.r) / 2, y: Double(a.b + 20), size: 13, color: ChartColors.black, align: .center)
            c.verticalText(yl, x: Double(a.l - 30), y: Double(a.t + a.b) / 2, size: 13, color: ChartColors.black)
        }
        try ImageIO.writeJPEG(c.image, to: url)
    }
}
