import Foundation

/// One dataset image as the reference's non-augmented loaders produce it: read (BGR, EXIF applied), long side
/// scaled to `imgsz` (INTER_LINEAR, skipped when the ratio is 1), letterboxed without upscaling, centred, fill 114,
/// to `shape`; labels mapped to that image and normalised by its size (the collated batch layout).
public struct LetterboxedSample: Sendable {
    public var image: Image
    public var file: URL
    /// (h0, w0) after EXIF orientation.
    public var origShape: (h: Int, w: Int)
    /// Size after the long-side resize, before letterboxing.
    public var loadedShape: (h: Int, w: Int)
    /// ((h/h0·r, w/w0·r), (left, top)): input pixels → original pixels.
    public var ratioPad: (gain: (h: Double, w: Double), pad: (left: Int, top: Int))
    public var labels: [PoseLabel]

    /// Loads `item` and letterboxes it to `shape`.
    public init(_ item: LabeledImage, imgsz: Int, shape: (h: Int, w: Int), stride: Int) throws {
        var img = try ImageIO.read(item.url, order: .bgr)
        let h0 = img.height, w0 = img.width
        let r0 = Double(imgsz) / Double(max(h0, w0))
        if r0 != 1 {
            let w = min(Int((Double(w0) * r0).rounded(.up)), imgsz)
            let h = min(Int((Double(h0) * r0).rounded(.up)), imgsz)
            img = img.resized(width: w, height: h)
        }
        let loaded = (h: img.height, w: img.width)
        let lb = letterbox(img, to: (shape.h, shape.w), auto: false, stride: stride, scaleUp: false, center: true)
        let r = lb.ratio
        image = lb.image
        file = item.url
        origShape = (item.shape.h, item.shape.w)
        loadedShape = loaded
        ratioPad = ((Double(loaded.h) / Double(item.shape.h) * r, Double(loaded.w) / Double(item.shape.w) * r),
                    (lb.pad.left, lb.pad.top))
        // Normalised (loaded image) → loaded pixels → ×r + pad → normalised by the final W, H (float32).
        let lw = Float(loaded.w), lh = Float(loaded.h), fr = Float(r)
        let pl = Float(lb.pad.left), pt = Float(lb.pad.top)
        let W = Float(shape.w), H = Float(shape.h)
        labels = item.labels.map { l in
            let b = l.box
            let box = SIMD4<Float>((b.x * lw * fr + pl) / W, (b.y * lh * fr + pt) / H,
                                   (b.z * lw * fr) / W, (b.w * lh * fr) / H)
            let kp = l.keypoints.map { p in SIMD3<Float>((p.x * lw * fr + pl) / W, (p.y * lh * fr + pt) / H, p.z) }
            return PoseLabel(cls: l.cls, box: box, keypoints: kp)
        }
    }

    /// Loads several images in parallel, in order; the first failure is thrown.
    public static func loadAll(_ items: [LabeledImage], imgsz: Int, shape: (h: Int, w: Int),
                               stride: Int) throws -> [LetterboxedSample] {
        var slots = [Result<LetterboxedSample, Error>?](repeating: nil, count: items.count)
        slots.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: items.count) { j in
                base[j] = Result { try LetterboxedSample(items[j], imgsz: imgsz, shape: shape, stride: stride) }
            }
        }
        return try slots.map { try $0!.get() }
    }
}
