import Foundation
import YOLOData

/// A white drawing surface with the few chart primitives the validation plots need: text (also rotated), thick and
/// thin polylines in sub-pixel coordinates, filled rectangles.
struct ChartCanvas {
    var canvas: Canvas
    let font: FontRenderer

    init(width: Int, height: Int, font: FontRenderer) {
        canvas = Canvas(Image(width: width, height: height, order: .bgr, repeating: 255))
        self.font = font
    }

    var image: Image { canvas.image }

    enum HAlign { case left, center, right }

    /// Cap height in pixels of text drawn at `size`.
    func capHeight(_ size: Double) -> Double { size * font.capHeightRatio }

    func textWidth(_ s: String, size: Double) -> Int { font.width(of: s, pixelSize: size) }

    /// Draws `s` horizontally with its capitals vertically centred on `y`.
    mutating func text(_ s: String, x: Double, y: Double, size: Double, color: BGR, align: HAlign = .left) {
        let w = Double(textWidth(s, size: size))
        let x0: Double
        switch align {
        case .left: x0 = x
        case .center: x0 = x - w / 2
        case .right: x0 = x - w
        }
        let baseline = y + capHeight(size) / 2
        canvas.text(s, at: (Int(x0.rounded()), Int(baseline.rounded())), font: font, pixelSize: size, color: color)
    }

    /// Draws `s` rotated 90° counter-clockwise (reading upwards), centred on (x, y).
    mutating func verticalText(_ s: String, x: Double, y: Double, size: Double, color: BGR) {
        let w = Double(textWidth(s, size: size))
        let ox = Int((x + capHeight(size) / 2).rounded()), oy = Int((y + w / 2).rounded())
        var c = canvas
        font.render(s, pixelSize: size) { tx, ty, coverage in
            c.blend(ox + ty, oy - tx, color, alpha: Double(coverage) / 255)
        }
        canvas = c
    }

    /// A polyline of half-width `halfWidth` (pixels) through `points` (pixel coordinates). Points closer than
    /// 0.75 px to the previous kept one are skipped; segments are rendered in short runs so each run's pixels blend
    /// once.
    mutating func polyline(_ points: [SIMD2<Double>], halfWidth: Double, color: BGR) {
        guard let first = points.first else { return }
        var kept = [first]
        for p in points.dropFirst() {
            let d = p - kept[kept.count - 1]
            if (d * d).sum() >= 0.5625 { kept.append(p) }
        }
        if kept.count == 1 {
            canvas.fillCapsules([(first, first)], halfWidth: halfWidth, color: color)
            return
        }
        var segments: [(SIMD2<Double>, SIMD2<Double>)] = []
        for i in 1..<kept.count {
            segments.append((kept[i - 1], kept[i]))
            if segments.count == 12 {
                canvas.fillCapsules(segments, halfWidth: halfWidth, color: color)
                segments.removeAll(keepingCapacity: true)
            }
        }
        if !segments.isEmpty { canvas.fillCapsules(segments, halfWidth: halfWidth, color: color) }
    }

    /// An axis-aligned 1-px line (crisp, no anti-aliasing), inclusive.
    mutating func hLine(y: Int, x0: Int, x1: Int, color: BGR) {
        for x in min(x0, x1)...max(x0, x1) { canvas.blend(x, y, color, alpha: 1) }
    }

    mutating func vLine(x: Int, y0: Int, y1: Int, color: BGR) {
        for y in min(y0, y1)...max(y0, y1) { canvas.blend(x, y, color, alpha: 1) }
    }

    /// A filled rectangle, inclusive corners, no anti-aliasing.
    mutating func fill(x0: Int, y0: Int, x1: Int, y1: Int, color: BGR) {
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 { for x in x0...x1 { canvas.blend(x, y, color, alpha: 1) } }
    }

    /// A 1-px rectangle outline, inclusive corners.
    mutating func frame(x0: Int, y0: Int, x1: Int, y1: Int, color: BGR) {
        hLine(y: y0, x0: x0, x1: x1, color: color)
        hLine(y: y1, x0: x0, x1: x1, color: color)
        vLine(x: x0, y0: y0, y1: y1, color: color)
        vLine(x: x1, y0: y0, y1: y1, color: color)
    }
}

/// Colours used by the charts.
enum ChartColors {
    static func rgb(_ hex: UInt32) -> BGR { BGR(UInt8(hex & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex >> 16)) }
    /// Matplotlib's default colour cycle (tab10).
    static let cycle: [BGR] = [0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F,
                               0xBCBD22, 0x17BECF].map(rgb)
    static let black = BGR(0, 0, 0)
    static let white = BGR(255, 255, 255)
    static let gray = rgb(0x808080)
    static let grid = rgb(0xE0E0E0)
    static let legendFrame = rgb(0xCCCCCC)
    static let meanLine = rgb(0x0000FF)

    /// Matplotlib's "Blues" colormap at t ∈ [0, 1] (linear between its 9 anchor colours).
    static func blues(_ t: Double) -> BGR {
        let anchors: [UInt32] = [0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B]
        let v = min(1, max(0, t.isNaN ? 0 : t)) * Double(anchors.count - 1)
        let i = min(Int(v), anchors.count - 2), f = v - Double(i)
        let a = rgb(anchors[i]), b = rgb(anchors[i + 1])
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * f).rounded()) }
        return BGR(mix(a.b, b.b), mix(a.g, b.g), mix(a.r, b.r))
    }
}
