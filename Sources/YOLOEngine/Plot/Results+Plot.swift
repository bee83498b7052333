import Foundation
import YOLOData

/// One drawn label: its filled rectangle (inclusive corners), text, baseline origin and colours.
public struct PlotLabel: Sendable {
    public var text: String
    /// Inclusive pixel rectangle of the filled label background (x1 ≤ x2, y1 ≤ y2).
    public var rect: (x1: Int, y1: Int, x2: Int, y2: Int)
    /// Baseline origin of the text.
    public var origin: (x: Int, y: Int)
    public var boxColor: BGR
    public var textColor: BGR
}

/// Sizes used by `Results.plot` (spec §5).
public enum PlotGeometry {
    /// Confidence below which keypoints (and limbs touching them) are not drawn.
    public static let keypointThreshold: Float = 0.25

    /// Automatic line width: max(round((h + w + 3) / 2 · 0.003), 2).
    public static func lineWidth(height: Int, width: Int) -> Int {
        max(Int((Double(height + width + 3) / 2 * 0.003).rounded(.toNearestOrEven)), 2)
    }

    /// Font scale lw / 3.
    public static func fontScale(lineWidth lw: Int) -> Double { Double(lw) / 3 }
    /// Font thickness max(lw − 1, 1).
    public static func fontThickness(lineWidth lw: Int) -> Int { max(lw - 1, 1) }

    /// Pixel size of the label font: its cap height matches Hershey Simplex caps at the font scale (≈ 22·scale px).
    public static func fontPixelSize(lineWidth lw: Int, font: FontRenderer) -> Double {
        font.pixelSize(forCapHeight: 22 * fontScale(lineWidth: lw))
    }

    /// Text size used for label geometry: the FreeType advance width, and the height OpenCV's getTextSize
    /// reports for Hershey Simplex, round(25·scale + thickness) (18 at lw 2, 27 at lw 3, 36 at lw 4).
    public static func textSize(_ text: String, lineWidth lw: Int, font: FontRenderer) -> (width: Int, height: Int) {
        let w = font.width(of: text, pixelSize: fontPixelSize(lineWidth: lw, font: font))
        let h = Int((25 * fontScale(lineWidth: lw) + Double(fontThickness(lineWidth: lw))).rounded())
        return (w, h)
    }
}

extension Results {
    /// The label text of detection `i`, or nil when both labels and confidences are off.
    public func labelText(_ i: Int, showLabels: Bool = true, showConf: Bool = true) -> String? {
        let name = (boxes.id.map { "id:\($0[i]) " } ?? "") + (names[boxes.cls[i]] ?? String(boxes.cls[i]))
        let conf = String(format: "%.2f", Double(boxes.conf[i]))
        switch (showLabels, showConf) {
        case (true, true): return "\(name) \(conf)"
        case (true, false): return name
        case (false, true): return conf
        case (false, false): return nil
        }
    }

    /// Where the labels go, in drawing order (detections reversed), for an image of `origShape`.
    public func plotLabels(lineWidth: Int? = nil, showLabels: Bool = true, showConf: Bool = true,
                           font: FontRenderer? = nil) throws -> [PlotLabel] {
        guard count > 0, showLabels || showConf else { return [] }
        let font = try font ?? FontRenderer.shared()
        let lw = lineWidth ?? PlotGeometry.lineWidth(height: origShape.height, width: origShape.width)
        let W = origShape.width
        var out: [PlotLabel] = []
        for i in (0..<count).reversed() {
            guard let text = labelText(i, showLabels: showLabels, showConf: showConf) else { continue }
            let color = Palette.general(boxes.cls[i])
            var (w, h) = PlotGeometry.textSize(text, lineWidth: lw, font: font)
            h += 3
            var p1 = (x: Int(boxes.xyxy[i][0]), y: Int(boxes.xyxy[i][1]))
            let outside = p1.y >= h
            if p1.x > W - w { p1.x = W - w }
            let p2 = (x: p1.x + w, y: outside ? p1.y - h : p1.y + h)
            let origin = (x: p1.x, y: outside ? p1.y - 2 : p1.y + h - 1)
            out.append(PlotLabel(text: text, rect: (min(p1.x, p2.x), min(p1.y, p2.y), max(p1.x, p2.x), max(p1.y, p2.y)),
                                 origin: origin, boxColor: color, textColor: Palette.textColor(forBox: color)))
        }
        return out
    }

    /// Draws boxes, labels, keypoints and limbs onto a copy of `image` (the original BGR image these results
    /// belong to), as Ultralytics' `Results.plot` does (spec §5). Throws only when labels need a font and none
    /// can be loaded.
    public func plot(on image: Image, lineWidth: Int? = nil, showBoxes: Bool = true, showLabels: Bool = true,
                     showConf: Bool = true, kptRadius: Int = 5, font: FontRenderer? = nil) throws -> Image {
        var canvas = Canvas(image)
        let lw = lineWidth ?? PlotGeometry.lineWidth(height: origShape.height, width: origShape.width)
        if showBoxes {
            let labels = try plotLabels(lineWidth: lw, showLabels: showLabels, showConf: showConf, font: font)
            let labelFont = labels.isEmpty ? nil : try (font ?? FontRenderer.shared())
            var next = 0
            for i in (0..<count).reversed() {
                let b = boxes.xyxy[i]
                let color = Palette.general(boxes.cls[i])
                canvas.rectangle((Int(b[0]), Int(b[1])), (Int(b[2]), Int(b[3])), color: color, thickness: lw)
                if next < labels.count, labelText(i, showLabels: showLabels, showConf: showConf) != nil, let labelFont {
                    let l = labels[next]
                    next += 1
                    canvas.fillRectangle((l.rect.x1, l.rect.y1), (l.rect.x2, l.rect.y2), color: l.boxColor)
                    canvas.text(l.text, at: l.origin, font: labelFont,
                                pixelSize: PlotGeometry.fontPixelSize(lineWidth: lw, font: labelFont), color: l.textColor)
                }
            }
        }
        if let kp = keypoints {
            for i in (0..<kp.data.count).reversed() {
                drawKeypoints(kp.data[i], dims: kp.dims, lineWidth: lw, radius: kptRadius, on: &canvas)
            }
        }
        return canvas.image
    }

    private func drawKeypoints(_ pts: [[Float]], dims: Int, lineWidth lw: Int, radius: Int, on canvas: inout Canvas) {
        let K = pts.count
        let isPose = K == 17 && (dims == 2 || dims == 3)
        let visible: [Bool] = pts.map { p in
            dims == 3 ? p[2] >= PlotGeometry.keypointThreshold : !(p[0] == 0 && p[1] == 0)
        }
        for k in 0..<K where visible[k] {
            let color = isPose ? Palette.pose[Palette.keypointColorIndex[k]] : Palette.generalAsIs(k)
            canvas.fillCircle(center: (Int(pts[k][0]), Int(pts[k][1])), radius: radius, color: color)
        }
        guard isPose else { return }
        let t = (lw + 1) / 2
        for limb in Palette.skeleton where visible[limb.a] && visible[limb.b] {
            let a = (x: Int(pts[limb.a][0]), y: Int(pts[limb.a][1])), b = (x: Int(pts[limb.b][0]), y: Int(pts[limb.b][1]))
            if a.x < 0 || a.y < 0 || b.x < 0 || b.y < 0 { continue }
            canvas.line(from: a, to: b, color: Palette.pose[limb.color], thickness: t)
        }
    }
}
