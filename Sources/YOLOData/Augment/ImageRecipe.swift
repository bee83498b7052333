import Foundation

/// The pixel side of one planned sample: a tree of image operations over loaded dataset images. Planning (labels
/// and every random draw) runs in order on one thread; rendering a recipe needs no randomness, so samples render in
/// parallel and give the same pixels on any thread.
public indirect enum ImageRecipe: Sendable {
    /// Dataset image `index`, loaded with its long side at imgsz.
    case loaded(index: Int)
    /// Tiles pasted on a 2S × 2S canvas filled with 114.
    case mosaic(tiles: [ImageRecipe], layout: MosaicLayout)
    /// cv2.warpAffine / warpPerspective with the forward matrix into width × height, border 114.
    case warp(ImageRecipe, matrix: Matrix3, width: Int, height: Int, perspective: Bool)
    /// uint8(a·r + b·(1 − r)).
    case mixUp(ImageRecipe, ImageRecipe, ratio: Double)
    /// `b`'s pixels inside the area pasted onto `a`.
    case cutMix(ImageRecipe, ImageRecipe, area: CutMixArea)
    /// BGR → HSV → per-channel tables (768 bytes: H, S, V) → BGR.
    case hsv(ImageRecipe, lut: [UInt8])
    /// Mirror left–right (`horizontal`) or top–bottom.
    case flip(ImageRecipe, horizontal: Bool)

    /// The dataset images the recipe reads.
    public var sources: [Int] {
        switch self {
        case .loaded(let i): return [i]
        case .mosaic(let tiles, _): return tiles.flatMap(\.sources)
        case .warp(let r, _, _, _, _), .hsv(let r, _), .flip(let r, _): return r.sources
        case .mixUp(let a, let b, _), .cutMix(let a, let b, _): return a.sources + b.sources
        }
    }

    /// Runs the operations; `load` returns a loaded dataset image (BGR).
    public func render(_ load: (Int) throws -> Image) throws -> Image {
        switch self {
        case .loaded(let i):
            return try load(i)
        case .mosaic(let tiles, let layout):
            return Mosaic.render(try tiles.map { try $0.render(load) }, layout: layout)
        case .warp(let r, let matrix, let width, let height, let perspective):
            return RandomPerspective.warp(try r.render(load), matrix: matrix, width: width, height: height,
                                          perspective: perspective)
        case .mixUp(let a, let b, let ratio):
            return MixUp.blend(try a.render(load), try b.render(load), ratio: ratio)
        case .cutMix(let a, let b, let area):
            return CutMix.paste(try b.render(load), into: try a.render(load), area: area)
        case .hsv(let r, let lut):
            var img = try r.render(load)
            RandomHSV.apply(lut: lut, to: &img)
            return img
        case .flip(let r, let horizontal):
            var img = try r.render(load)
            RandomFlip.flip(&img, horizontal: horizontal)
            return img
        }
    }
}
