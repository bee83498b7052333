import Foundation
import YOLOData

/// The val_batch{k}_labels / _pred mosaics: up to 16 letterboxed batch images in a square grid filled column by
/// column (image i at column i / ns, row i % ns, ns = ceil(√count)), white where no image goes, scaled down so the
/// longer tile side is at most 1920 / ns, with white tile borders, the file name in each tile's corner, and boxes,
/// labels and keypoints (with skeleton for 17-point poses) drawn on top.
public enum BatchMosaic {
    public static let maxSubplots = 16
    public static let maxSize = 1920
    /// Predictions (and their keypoints) are drawn when conf > this; keypoints when their confidence ≥ it.
    public static let confThreshold: Float = 0.25

    public struct Layout: Sendable, Equatable {
        /// Images drawn, grid side, tile size after scaling, and the scale applied to input pixels.
        public var count: Int
        public var ns: Int
        public var tileWidth: Int
        public var tileHeight: Int
        public var scale: Double
        public var width: Int { ns * tileWidth }
        public var height: Int { ns * tileHeight }
        /// Top-left corner of tile i (column-major).
        public func origin(_ i: Int) -> (x: Int, y: Int) { (tileWidth * (i / ns), tileHeight * (i % ns)) }
        /// Font size and line width used for annotations.
        public var fontSize: Int { max(Int(Double((tileHeight + tileWidth) * ns) * 0.01), 18) }
        public var lineWidth: Int { max(1, Int((Double(fontSize) / 10).rounded(.toNearestOrEven))) }
    }

    public static func layout(count: Int, imageHeight h: Int, imageWidth w: Int) -> Layout {
        let bs = min(count, maxSubplots)
        let ns = max(1, Int(Double(bs).squareRoot().rounded(.up)))
        let scale = Double(maxSize) / Double(ns) / Double(max(h, w))
        var th = h, tw = w
        if scale < 1 {
            th = Int((scale * Double(h)).rounded(.up))
            tw = Int((scale * Double(w)).rounded(.up))
        }
        return Layout(count: bs, ns: ns, tileWidth: tw, tileHeight: th, scale: min(scale, 1))
    }

    /// Renders the batch with its ground truth (`predictions == nil`) or with `predictions` (per image, in input
    /// pixels, at most `maxDet` per image are considered).
    public static func render(batch: ValBatch, predictions: [[Detection]]? = nil, names: [Int: String],
                              maxDet: Int = 300, font: FontRenderer) -> Image {
        let h = batch.shape.h, w = batch.shape.w
        let L = layout(count: batch.images.count, imageHeight: h, imageWidth: w)
        var mosaic = Image(width: L.ns * w, height: L.ns * h, order: .bgr, repeating: 255)
        for i in 0..<L.count {
            let img = batch.images[i].converted(to: .bgr)
            let (ox, oy) = (w * (i / L.ns), h * (i % L.ns))
            for y in 0..<min(h, img.height) {
                let src = y * img.width * 3, dst = ((oy + y) * mosaic.width + ox) * 3
                let n = min(w, img.width) * 3
                mosaic.pixels.replaceSubrange(dst..<(dst + n), with: img.pixels[src..<(src + n)])
            }
        }
        if L.tileWidth != w || L.tileHeight != h {
            mosaic = mosaic.resized(width: L.width, height: L.height)
        }
        var canvas = Canvas(mosaic)
        let fs = Double(L.fontSize), lw = L.lineWidth
        let tw = Double(L.tileWidth), th = Double(L.tileHeight)
        for i in 0..<L.count {
            let (x, y) = L.origin(i)
            canvas.rectangle((x, y), (x + L.tileWidth, y + L.tileHeight), color: BGR(255, 255, 255), thickness: 2)
            if i < batch.files.count {
                let name = String(batch.files[i].lastPathComponent.prefix(40))
                canvas.text(name, at: (x + 5, y + 5 + Int((fs * 0.8).rounded())), font: font, pixelSize: fs,
                            color: BGR(220, 220, 220))
            }
            let fx = Double(x), fy = Double(y)
            if let predictions {
                let dets = i < predictions.count ? Array(predictions[i].prefix(maxDet)) : []
                for d in dets where d.conf > confThreshold {
                    let s = L.scale
                    let box = (Double(d.box.x) * s + fx, Double(d.box.y) * s + fy,
                               Double(d.box.z) * s + fx, Double(d.box.w) * s + fy)
                    let name = names[d.cls] ?? String(d.cls)
                    drawBox(box, label: "\(name) \(String(format: "%.1f", Double(d.conf)))", cls: d.cls,
                            lineWidth: lw, fontSize: fs, canvas: &canvas, font: font)
                }
                for d in dets where d.conf > confThreshold && !d.keypoints.isEmpty {
                    let K = batch.labels.first(where: { !$0.isEmpty })?.first?.keypoints.count ?? 17
                    let D = d.keypoints.count / max(K, 1)
                    guard D >= 2 else { continue }
                    let pts: [SIMD3<Double>] = (0..<K).map { k in
                        let b = k * D
                        return SIMD3(Double(d.keypoints[b]) * L.scale + fx, Double(d.keypoints[b + 1]) * L.scale + fy,
                                     D == 3 ? Double(d.keypoints[b + 2]) : .nan)
                    }
                    drawKeypoints(pts, lineWidth: lw, canvas: &canvas)
                }
            } else if i < batch.labels.count {
                for l in batch.labels[i] {
                    let cx = Double(l.box.x) * tw, cy = Double(l.box.y) * th
                    let bw = Double(l.box.z) * tw, bh = Double(l.box.w) * th
                    drawBox((cx - bw / 2 + fx, cy - bh / 2 + fy, cx + bw / 2 + fx, cy + bh / 2 + fy),
                            label: names[l.cls] ?? String(l.cls), cls: l.cls, lineWidth: lw, fontSize: fs,
                            canvas: &canvas, font: font)
                }
                for l in batch.labels[i] where !l.keypoints.isEmpty {
                    let pts = l.keypoints.map { SIMD3(Double($0.x) * tw + fx, Double($0.y) * th + fy, Double($0.z)) }
                    drawKeypoints(pts, lineWidth: lw, canvas: &canvas)
                }
            }
        }
        return canvas.image
    }

    /// A box with its label above it (inside when there is no room), label text white or dark by box colour.
    static func drawBox(_ b: (Double, Double, Double, Double), label: String, cls: Int, lineWidth lw: Int,
                        fontSize fs: Double, canvas: inout Canvas, font: FontRenderer) {
        let color = Palette.general(cls)
        let p1 = (x: Int(b.0), y: Int(b.1)), p2 = (x: Int(b.2), y: Int(b.3))
        canvas.rectangle(p1, p2, color: color, thickness: lw)
        guard !label.isEmpty else { return }
        let tw = font.width(of: label, pixelSize: fs), th = Int((fs * 0.95).rounded())
        var x = p1.x
        if x > canvas.width - tw { x = canvas.width - tw }
        let outside = p1.y >= th
        let top = outside ? p1.y - th : p1.y
        canvas.fillRectangle((x, top), (x + tw + 1, outside ? p1.y + 1 : p1.y + th + 1), color: color)
        canvas.text(label, at: (x, top + Int((fs * 0.8).rounded())), font: font, pixelSize: fs,
                    color: Palette.textColor(forBox: color))
    }

    /// Keypoints (x, y, conf-or-NaN in mosaic pixels): discs of radius lw when conf ≥ 0.25 (or, without a
    /// confidence, unless at (0, 0)), then the COCO skeleton for 17 points with thickness ceil(lw / 2).
    static func drawKeypoints(_ pts: [SIMD3<Double>], lineWidth lw: Int, canvas: inout Canvas) {
        let K = pts.count
        let isPose = K == 17
        let visible = pts.map { p in p.z.isNaN ? !(p.x == 0 && p.y == 0) : p.z >= Double(confThreshold) }
        for k in 0..<K where visible[k] {
            let color = isPose ? Palette.pose[Palette.keypointColorIndex[k]] : Palette.generalAsIs(k)
            canvas.fillCircle(center: (Int(pts[k].x), Int(pts[k].y)), radius: lw, color: color)
        }
        guard isPose else { return }
        let t = (lw + 1) / 2
        for limb in Palette.skeleton where visible[limb.a] && visible[limb.b] {
            let a = (x: Int(pts[limb.a].x), y: Int(pts[limb.a].y)), b = (x: Int(pts[limb.b].x), y: Int(pts[limb.b].y))
            canvas.line(from: a, to: b, color: Palette.pose[limb.color], thickness: t)
        }
    }
}
