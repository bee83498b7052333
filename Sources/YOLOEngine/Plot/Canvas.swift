import Foundation
import YOLOData

/// A colour as the three bytes written into a BGR image (blue first).
public struct BGR: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var b: UInt8
    public var g: UInt8
    public var r: UInt8

    public init(_ b: UInt8, _ g: UInt8, _ r: UInt8) {
        self.b = b
        self.g = g
        self.r = r
    }

    public var description: String { "(\(b), \(g), \(r))" }
}

/// A small anti-aliased rasterizer drawing into a BGR `Image`, modelled on what OpenCV's `LINE_AA` primitives
/// produce. Integer coordinates are pixel centres. Shapes are rendered from a distance field: a pixel gets full
/// colour inside the shape grown by a fixed margin, and a one-pixel linear ramp outside it, which reproduces
/// OpenCV's solid cores and faint (≈20 %) halo.
public struct Canvas: Sendable {
    public private(set) var image: Image

    /// Half-width of a thickness-1 anti-aliased line (OpenCV draws these as ≈1.3 px wide Wu-style lines).
    static let thinLineHalfWidth = 0.65
    /// How far a filled shape's solid area extends beyond its geometric edge (measured on OpenCV renders).
    static let grow = 0.7
    /// Opacity of a thin line's end pixel; nothing is drawn past it.
    static let thinLineEnd = 0.6
    static let circleGrow = 0.6

    public init(_ image: Image) {
        self.image = image.converted(to: .bgr)
    }

    public var width: Int { image.width }
    public var height: Int { image.height }

    /// The pixel at (x, y).
    public func pixel(_ x: Int, _ y: Int) -> BGR {
        let i = (y * image.width + x) * 3
        return BGR(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
    }

    /// Blends `color` over the pixel at (x, y) with opacity `alpha` (0…1); ignores pixels outside the image.
    @inline(__always)
    public mutating func blend(_ x: Int, _ y: Int, _ color: BGR, alpha: Double) {
        guard alpha > 0, x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let i = (y * image.width + x) * 3
        if alpha >= 1 {
            image.pixels[i] = color.b
            image.pixels[i + 1] = color.g
            image.pixels[i + 2] = color.r
            return
        }
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8(max(0, min(255, (Double(old) + (Double(new) - Double(old)) * alpha).rounded())))
        }
        image.pixels[i] = mix(image.pixels[i], color.b)
        image.pixels[i + 1] = mix(image.pixels[i + 1], color.g)
        image.pixels[i + 2] = mix(image.pixels[i + 2], color.r)
    }

    /// Effective half-width of an anti-aliased line of the given thickness (OpenCV rounds odd thicknesses up).
    static func halfWidth(thickness t: Int) -> Double {
        t <= 1 ? thinLineHalfWidth : Double((t + 1) / 2) + grow
    }

    /// Renders the union of capsules (segments with round caps) of half-width `h`, each pixel blended once.
    mutating func fillCapsules(_ segments: [(SIMD2<Double>, SIMD2<Double>)], halfWidth h: Double, color: BGR) {
        guard !segments.isEmpty else { return }
        let reach = h + 0.5
        var lo = SIMD2<Double>(.infinity, .infinity), hi = SIMD2<Double>(-.infinity, -.infinity)
        for (a, b) in segments {
            lo = pointwiseMin(lo, pointwiseMin(a, b))
            hi = pointwiseMax(hi, pointwiseMax(a, b))
        }
        let x0 = max(0, Int((lo.x - reach).rounded(.down))), x1 = min(width - 1, Int((hi.x + reach).rounded(.up)))
        let y0 = max(0, Int((lo.y - reach).rounded(.down))), y1 = min(height - 1, Int((hi.y + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let p = SIMD2(Double(x), Double(y))
                var d = Double.infinity
                for (a, b) in segments { d = min(d, Self.distance(p, a, b)) }
                let alpha = min(1, max(0, h + 0.5 - d))
                if alpha > 0 { blend(x, y, color, alpha: alpha) }
            }
        }
    }

    static func distance(_ p: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
        let ab = b - a, ap = p - a
        let len2 = (ab * ab).sum()
        let t = len2 > 0 ? min(1, max(0, (ap * ab).sum() / len2)) : 0
        let q = ap - ab * t
        return (q * q).sum().squareRoot()
    }

    /// An anti-aliased line between two pixel centres, `thickness` pixels wide, with round caps (cv2.line, LINE_AA).
    /// Thickness-1 lines have flat ends that fade over the end pixel, as OpenCV's thin anti-aliased lines do.
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), color: BGR, thickness: Int) {
        if thickness <= 1 && (a.x != b.x || a.y != b.y) {
            thinLine(SIMD2(Double(a.x), Double(a.y)), SIMD2(Double(b.x), Double(b.y)), color: color)
            return
        }
        fillCapsules([(SIMD2(Double(a.x), Double(a.y)), SIMD2(Double(b.x), Double(b.y)))],
                     halfWidth: Self.halfWidth(thickness: max(1, thickness)), color: color)
    }

    mutating func thinLine(_ a: SIMD2<Double>, _ b: SIMD2<Double>, color: BGR) {
        let h = Self.thinLineHalfWidth
        let ab = b - a
        let len = (ab * ab).sum().squareRoot()
        let u = ab / len
        let x0 = max(0, Int((min(a.x, b.x) - 2).rounded(.down))), x1 = min(width - 1, Int((max(a.x, b.x) + 2).rounded(.up)))
        let y0 = max(0, Int((min(a.y, b.y) - 2).rounded(.down))), y1 = min(height - 1, Int((max(a.y, b.y) + 2).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let ap = SIMD2(Double(x), Double(y)) - a
                let along = (ap * u).sum()
                let across = abs(ap.x * u.y - ap.y * u.x)
                let beyond = max(-along, along - len)
                let alpha = min(1, max(0, h + 0.5 - across)) * min(1, max(0, Self.thinLineEnd - beyond))
                if alpha > 0 { blend(x, y, color, alpha: alpha) }
            }
        }
    }

    /// A filled anti-aliased disc (cv2.circle with thickness −1, LINE_AA).
    public mutating func fillCircle(center c: (x: Int, y: Int), radius: Int, color: BGR) {
        let p = SIMD2(Double(c.x), Double(c.y))
        fillCapsules([(p, p)], halfWidth: Double(max(0, radius)) + Self.circleGrow, color: color)
    }

    /// A rectangle outline between two corner pixels, `thickness` wide, with rounded corners (cv2.rectangle, LINE_AA).
    public mutating func rectangle(_ p1: (x: Int, y: Int), _ p2: (x: Int, y: Int), color: BGR, thickness: Int) {
        let a = SIMD2(Double(p1.x), Double(p1.y)), b = SIMD2(Double(p2.x), Double(p1.y))
        let c = SIMD2(Double(p2.x), Double(p2.y)), d = SIMD2(Double(p1.x), Double(p2.y))
        fillCapsules([(a, b), (b, c), (c, d), (d, a)], halfWidth: Self.halfWidth(thickness: max(1, thickness)), color: color)
    }

    /// A filled rectangle covering both corner pixels, with a faint anti-aliased rim (cv2.rectangle −1, LINE_AA).
    public mutating func fillRectangle(_ p1: (x: Int, y: Int), _ p2: (x: Int, y: Int), color: BGR) {
        let xa = min(p1.x, p2.x), xb = max(p1.x, p2.x), ya = min(p1.y, p2.y), yb = max(p1.y, p2.y)
        let x0 = max(0, xa - 1), x1 = min(width - 1, xb + 1), y0 = max(0, ya - 1), y1 = min(height - 1, yb + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Double(max(xa - x, 0, x - xb)), dy = Double(max(ya - y, 0, y - yb))
                let d = (dx * dx + dy * dy).squareRoot()
                blend(x, y, color, alpha: min(1, max(0, Self.grow + 0.5 - d)))
            }
        }
    }

    /// Draws `text` with its baseline starting at `origin` (like cv2.putText's origin).
    public mutating func text(_ text: String, at origin: (x: Int, y: Int), font: FontRenderer, pixelSize: Double, color: BGR) {
        font.render(text, pixelSize: pixelSize) { x, y, coverage in
            blend(origin.x + x, origin.y + y, color, alpha: Double(coverage) / 255)
        }
    }
}
