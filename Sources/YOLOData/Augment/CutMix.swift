import Foundation

/// A CutMix rectangle in pixels, half-open (x1, y1, x2, y2).
public struct CutMixArea: Sendable, Equatable {
    public var x1, y1, x2, y2: Int
    public init(x1: Int, y1: Int, x2: Int, y2: Int) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }
    var floats: SIMD4<Float> { SIMD4(Float(x1), Float(y1), Float(x2), Float(y2)) }
}

/// The reference's CutMix: with probability p a second image (through mosaic and perspective) donates a rectangle.
/// Three candidate rectangles are drawn (NumPy stream: λ ~ Beta(1, 1), side ratio √(1 − λ), a uniform centre);
/// one that overlaps none of the sample's boxes is picked at random; the second image's objects covering at least
/// 10 % of their box area inside it are pasted with it (clipped to it). Nothing happens when no rectangle is free or
/// no object qualifies.
public struct CutMix: Sendable {
    public var probability: Double
    public var beta: Double
    public var areaCount: Int

    public init(probability: Double, beta: Double = 1.0, areaCount: Int = 3) {
        precondition((0...1).contains(probability), "CutMix: probability \(probability) outside [0, 1]")
        self.probability = probability
        self.beta = beta
        self.areaCount = areaCount
    }

    public func applies<R: AugmentRandom>(_ random: inout R) -> Bool { random.uniform(0, 1) <= probability }

    /// The candidate rectangles for an image of width × height.
    public func drawAreas<R: AugmentRandom>(width: Int, height: Int, _ random: inout R) -> [CutMixArea] {
        (0..<areaCount).map { _ in
            let lam = random.npBeta(beta, beta)
            let ratio = (1.0 - lam).squareRoot()
            let cw = Int(Double(width) * ratio), ch = Int(Double(height) * ratio)
            let cx = random.npRandint(width), cy = random.npRandint(height)
            func c(_ v: Int, _ hi: Int) -> Int { min(max(v, 0), hi) }
            return CutMixArea(x1: c(cx - floorDiv(cw, 2), width), y1: c(cy - floorDiv(ch, 2), height),
                              x2: c(cx + floorDiv(cw, 2), width), y2: c(cy + floorDiv(ch, 2), height))
        }
    }

    /// The chosen rectangle and the donor objects to paste, or nil (skip). Draws `npChoice` only when some
    /// rectangle is free, as the reference does.
    public func select<R: AugmentRandom>(areas: [CutMixArea], sample: SampleGeometry, donor: SampleGeometry,
                                         _ random: inout R) -> (area: CutMixArea, objects: [Int])? {
        let boxes = sample.instances.converted(to: .xyxy).boxes
        let free = areas.indices.filter { a in
            boxes.reduce(Float(0)) { $0 + CutMix.ioa(areas[a].floats, $1) } <= 0
        }
        guard !free.isEmpty else { return nil }
        let area = areas[free[random.npChoice(free.count)]]
        let donorBoxes = donor.instances.converted(to: .xyxy).boxes
        let objects = donorBoxes.indices.filter { CutMix.ioa(area.floats, donorBoxes[$0]) >= 0.1 }
        guard !objects.isEmpty else { return nil }
        return (area, objects)
    }

    /// The labels after pasting `objects` of `donor` inside `area`.
    public func combine(_ sample: SampleGeometry, donor: SampleGeometry, area: CutMixArea, objects: [Int]) -> SampleGeometry {
        let chosen = Set(objects)
        var pasted = donor.instances.converted(to: .xyxy).filtered(donor.instances.boxes.indices.map { chosen.contains($0) })
        pasted.translate(dx: -area.x1, dy: -area.y1)
        pasted.clip(width: area.x2 - area.x1, height: area.y2 - area.y1)
        pasted.translate(dx: area.x1, dy: area.y1)
        var out = sample
        out.instances = sample.instances.concatenated(pasted)
        return out
    }

    /// Intersection over box2's area (float32), as the reference's bbox_ioa with eps 1e-7.
    static func ioa(_ b1: SIMD4<Float>, _ b2: SIMD4<Float>) -> Float {
        let iw = max(min(b1.z, b2.z) - max(b1.x, b2.x), 0)
        let ih = max(min(b1.w, b2.w) - max(b1.y, b2.y), 0)
        let area = (b2.z - b2.x) * (b2.w - b2.y)
        return iw * ih / (area + Float(1e-7))
    }

    /// `donor`'s pixels inside `area` copied onto `image`.
    public static func paste(_ donor: Image, into image: Image, area: CutMixArea) -> Image {
        precondition(donor.width == image.width && donor.height == image.height, "CutMix: images of different sizes")
        var out = image
        let cols = area.x2 - area.x1
        guard cols > 0, area.y2 > area.y1 else { return out }
        out.pixels.withUnsafeMutableBufferPointer { dst in
            donor.pixels.withUnsafeBufferPointer { src in
                for y in area.y1..<area.y2 {
                    let o = (y * image.width + area.x1) * 3
                    (dst.baseAddress! + o).update(from: src.baseAddress! + o, count: cols * 3)
                }
            }
        }
        return out
    }
}
