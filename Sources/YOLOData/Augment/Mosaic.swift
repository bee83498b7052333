import Foundation

/// Where one mosaic tile goes: a source rectangle of the tile image, the canvas rectangle it is copied to (same
/// size), and the label shift canvas origin − source origin. Rectangles are half-open (x1, y1, x2, y2).
public struct MosaicTile: Sendable, Equatable {
    public var canvas: SIMD4<Int>
    public var source: SIMD4<Int>
    public var pad: (x: Int, y: Int) { (canvas.x - source.x, canvas.y - source.y) }
}

/// The 2×2 mosaic of one sample: canvas side 2S and the placement of its four tiles.
public struct MosaicLayout: Sendable, Equatable {
    public var imgsz: Int
    public var center: (x: Int, y: Int)
    public var tiles: [MosaicTile]

    public static func == (a: MosaicLayout, b: MosaicLayout) -> Bool {
        a.imgsz == b.imgsz && a.center == b.center && a.tiles == b.tiles
    }
}

/// The reference's Mosaic (n = 4): the sample and three other images on a 2S × 2S canvas filled with 114, meeting at
/// a random centre (xc, yc) ∈ [S/2, 3S/2)²; tile 0's bottom-right, tile 1's bottom-left, tile 2's top-right and tile
/// 3's top-left corner sit at the centre, each cropped to the canvas. Labels move with their tile; the union is
/// clipped to the canvas (keypoints outside get visibility 0) and zero-area boxes are dropped.
///
/// Applied when `uniform(0, 1) ≤ probability`. The three other images are drawn by the pipeline (from the loader's
/// image buffer, or from the whole dataset with `cache=ram`).
public struct Mosaic: Sendable {
    public var imgsz: Int
    public var probability: Double

    public init(imgsz: Int, probability: Double = 1.0) {
        precondition(imgsz > 0, "Mosaic: imgsz must be positive")
        precondition((0...1).contains(probability), "Mosaic: probability \(probability) outside [0, 1]")
        self.imgsz = imgsz
        self.probability = probability
    }

    /// The probability draw: true when the mosaic applies.
    public func applies<R: AugmentRandom>(_ random: inout R) -> Bool { random.uniform(0, 1) <= probability }

    /// The centre draw (yc first, then xc): int(uniform(S/2, 3S/2)) with the reference's floor-divided border.
    public func drawCenter<R: AugmentRandom>(_ random: inout R) -> (x: Int, y: Int) {
        let border = floorDiv(-imgsz, 2)
        let yc = Int(random.uniform(Double(-border), Double(2 * imgsz + border)))
        let xc = Int(random.uniform(Double(-border), Double(2 * imgsz + border)))
        return (xc, yc)
    }

    /// Tile placement for the four tile sizes (h, w) around `center`.
    public func layout(center: (x: Int, y: Int), tileSizes: [(h: Int, w: Int)]) -> MosaicLayout {
        precondition(tileSizes.count == 4, "Mosaic: 4 tiles")
        let s2 = 2 * imgsz, xc = center.x, yc = center.y
        var tiles: [MosaicTile] = []
        for (i, size) in tileSizes.enumerated() {
            let h = size.h, w = size.w
            let a: SIMD4<Int>, b: SIMD4<Int>
            switch i {
            case 0:
                a = SIMD4(max(xc - w, 0), max(yc - h, 0), xc, yc)
                b = SIMD4(w - (a.z - a.x), h - (a.w - a.y), w, h)
            case 1:
                a = SIMD4(xc, max(yc - h, 0), min(xc + w, s2), yc)
                b = SIMD4(0, h - (a.w - a.y), min(w, a.z - a.x), h)
            case 2:
                a = SIMD4(max(xc - w, 0), yc, xc, min(s2, yc + h))
                b = SIMD4(w - (a.z - a.x), 0, w, min(a.w - a.y, h))
            default:
                a = SIMD4(xc, yc, min(xc + w, s2), min(s2, yc + h))
                b = SIMD4(0, 0, min(w, a.z - a.x), min(a.w - a.y, h))
            }
            tiles.append(MosaicTile(canvas: a, source: b))
        }
        return MosaicLayout(imgsz: imgsz, center: center, tiles: tiles)
    }

    /// The mosaic's labels from the four tiles' (pixel xyxy labels of each loaded tile image), with tile 0's file and
    /// original shape, the main sample's ratio, and resized shape 2S × 2S.
    public func combine(_ tiles: [SampleGeometry], layout: MosaicLayout) -> SampleGeometry {
        precondition(tiles.count == 4 && layout.tiles.count == 4, "Mosaic: 4 tiles")
        var all = Instances.empty(keypointCount: tiles[0].instances.keypointCount)
        for (t, place) in zip(tiles, layout.tiles) {
            var inst = t.instances.converted(to: .xyxy)
            inst.translate(dx: place.pad.x, dy: place.pad.y)
            all = all.concatenated(inst)
        }
        let s2 = 2 * imgsz
        all.clip(width: s2, height: s2)
        all.removeZeroAreaBoxes()
        var out = tiles[0]
        out.instances = all
        out.width = s2
        out.height = s2
        out.resizedShape = (s2, s2)
        return out
    }

    /// The canvas: each tile's source rectangle copied to its place, the rest 114.
    public static func render(_ images: [Image], layout: MosaicLayout) -> Image {
        precondition(images.count == layout.tiles.count, "Mosaic.render: \(images.count) images for \(layout.tiles.count) tiles")
        let s2 = 2 * layout.imgsz
        var canvas = Image(width: s2, height: s2, order: images.first?.order ?? .bgr, repeating: 114)
        canvas.pixels.withUnsafeMutableBufferPointer { dst in
            for (img, t) in zip(images, layout.tiles) {
                let rows = t.canvas.w - t.canvas.y, cols = t.canvas.z - t.canvas.x
                guard rows > 0, cols > 0 else { continue }
                precondition(t.source.z <= img.width && t.source.w <= img.height, "Mosaic.render: tile outside its image")
                img.pixels.withUnsafeBufferPointer { src in
                    for r in 0..<rows {
                        let s = ((t.source.y + r) * img.width + t.source.x) * 3
                        let d = ((t.canvas.y + r) * s2 + t.canvas.x) * 3
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: cols * 3)
                    }
                }
            }
        }
        return canvas
    }
}

/// Python's floor division.
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
