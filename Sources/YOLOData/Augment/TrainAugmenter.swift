import Foundation

/// One sample as planned: final labels (pixels of the final image), the image operations, and the channel order.
public struct PlannedSample: Sendable {
    public var geometry: SampleGeometry
    public var recipe: ImageRecipe
    /// True when the network gets RGB (Format's `uniform(0, 1) > bgr`), false when it keeps BGR.
    public var reverseChannels: Bool
    /// The labels normalised to the final image (Format).
    public var labels: [PoseLabel] { FormatSample.labels(geometry) }
}

/// The reference's training transforms for pose (v8_transforms + Format), in its order:
/// Mosaic → CopyPaste (no-op for pose) → RandomPerspective, then MixUp and CutMix (each mixing in a second image that
/// went through those three), RandomHSV, vertical flip, horizontal flip, Format.
///
/// `plan` runs every label computation and every random draw of one sample; the pixels follow from the returned
/// recipe. Planning must run sample after sample in loading order: the mosaic buffer and the draws depend on it.
public struct TrainAugmenter: Sendable {
    public let imgsz: Int
    public let config: AugmentConfig
    public let mosaic: Mosaic
    public let perspective: RandomPerspective
    public let mixUp: MixUp
    public let cutMix: CutMix
    public let hsv: RandomHSV
    public let flipUD: RandomFlip
    public let flipLR: RandomFlip
    public let format: FormatSample

    /// `flipIdx` nil disables both flips (the reference warns and sets them to 0); a wrong-length `flipIdx` with a
    /// flip probability > 0 throws. `rect` turns mosaic, mixup and cutmix off, as the reference's rect training does.
    public init(imgsz: Int, config: AugmentConfig, keypointCount: Int, flipIdx: [Int]?, rect: Bool = false) throws {
        try config.validate()
        var c = config
        if rect { c.mosaic = 0; c.mixup = 0; c.cutmix = 0 }
        if flipIdx == nil && keypointCount > 0 { c.flipud = 0; c.fliplr = 0 }
        self.imgsz = imgsz
        self.config = c
        mosaic = Mosaic(imgsz: imgsz, probability: c.mosaic)
        let range = c.scaleRange.map { ($0[0], $0[1]) }
        perspective = RandomPerspective(degrees: c.degrees, translate: c.translate, scale: c.scale, scaleRange: range,
                                        shear: c.shear, perspective: c.perspective)
        mixUp = MixUp(probability: c.mixup)
        cutMix = CutMix(probability: c.cutmix)
        hsv = RandomHSV(hgain: c.hsvH, sgain: c.hsvS, vgain: c.hsvV)
        flipUD = try RandomFlip(probability: c.flipud, horizontal: false, flipIdx: flipIdx, keypointCount: keypointCount)
        flipLR = try RandomFlip(probability: c.fliplr, horizontal: true, flipIdx: flipIdx, keypointCount: keypointCount)
        format = FormatSample(bgr: c.bgr)
    }

    /// The steps `plan` reports to its observer, after each one (whether it changed the sample or not).
    public enum Stage: String, Sendable {
        case mosaic, perspective, mixup, cutmix, hsv, flipud, fliplr
    }

    /// Plans dataset sample `index`. `geometry(i)` gives image i as loaded (labels in its pixels, rect shape set in
    /// rect training); `count` is the dataset size. `observe` sees the sample after every step (tests), including
    /// the steps of the second image of MixUp and CutMix, in order.
    public func plan<R: AugmentRandom>(index: Int, count: Int, geometry: (Int) -> SampleGeometry,
                                       buffer: inout MosaicBuffer, random: inout R,
                                       observe: ((Stage, SampleGeometry, ImageRecipe) -> Void)? = nil) -> PlannedSample {
        buffer.load(index)
        var (g, recipe) = preTransform(index, count: count, geometry: geometry, buffer: &buffer, random: &random,
                                       observe: observe)
        if mixUp.applies(&random) {
            let j = random.randint(count)
            buffer.load(j)
            let (g2, r2) = preTransform(j, count: count, geometry: geometry, buffer: &buffer, random: &random,
                                        observe: observe)
            let ratio = mixUp.drawRatio(&random)
            g = mixUp.combine(g, g2)
            recipe = .mixUp(recipe, r2, ratio: ratio)
        }
        observe?(.mixup, g, recipe)
        if cutMix.applies(&random) {
            let j = random.randint(count)
            buffer.load(j)
            let (g2, r2) = preTransform(j, count: count, geometry: geometry, buffer: &buffer, random: &random,
                                        observe: observe)
            let areas = cutMix.drawAreas(width: g.width, height: g.height, &random)
            if let pick = cutMix.select(areas: areas, sample: g, donor: g2, &random) {
                g = cutMix.combine(g, donor: g2, area: pick.area, objects: pick.objects)
                recipe = .cutMix(recipe, r2, area: pick.area)
            }
        }
        observe?(.cutmix, g, recipe)
        if let gains = hsv.draw(&random) {
            recipe = .hsv(recipe, lut: RandomHSV.lut(gains: gains))
        }
        observe?(.hsv, g, recipe)
        for flip in [flipUD, flipLR] {
            let on = flip.draw(&random)
            g = flip.apply(g, flip: on)
            if on { recipe = .flip(recipe, horizontal: flip.horizontal) }
            observe?(flip.horizontal ? .fliplr : .flipud, g, recipe)
        }
        let reverse = format.drawReverse(&random)
        return PlannedSample(geometry: g, recipe: recipe, reverseChannels: reverse)
    }

    /// Mosaic (when its draw says so) and RandomPerspective of dataset image `index`.
    func preTransform<R: AugmentRandom>(_ index: Int, count: Int, geometry: (Int) -> SampleGeometry,
                                        buffer: inout MosaicBuffer, random: inout R,
                                        observe: ((Stage, SampleGeometry, ImageRecipe) -> Void)?) -> (SampleGeometry, ImageRecipe) {
        var g = geometry(index)
        var recipe = ImageRecipe.loaded(index: index)
        if mosaic.applies(&random) {
            precondition(g.rectShape == nil, "rect and mosaic are mutually exclusive")
            let pool = buffer.enabled ? buffer.indices : []
            let partners = (0..<3).map { _ in
                pool.isEmpty ? random.randint(count) : pool[random.choice(pool.count)]
            }
            let center = mosaic.drawCenter(&random)
            let tiles = [g] + partners.map(geometry)
            let layout = mosaic.layout(center: center, tileSizes: tiles.map { ($0.height, $0.width) })
            g = mosaic.combine(tiles, layout: layout)
            recipe = .mosaic(tiles: ([index] + partners).map { .loaded(index: $0) }, layout: layout)
        }
        observe?(.mosaic, g, recipe)
        let d = perspective.draw(&random)
        let out = RandomPerspective.outputSize(g, imgsz: imgsz)
        let M = RandomPerspective.matrix(d, input: (g.width, g.height), output: out)
        g = perspective.transform(g, matrix: M, scale: d.scale, output: out)
        recipe = .warp(recipe, matrix: M, width: out.w, height: out.h, perspective: perspective.perspective != 0)
        observe?(.perspective, g, recipe)
        return (g, recipe)
    }
}
