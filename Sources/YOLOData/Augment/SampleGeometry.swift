import Foundation

/// What the label side of the pipeline carries for one sample: its objects in pixels of the current image, the
/// image size, and the reference's per-sample metadata (taken from the sample's own image, or from the first tile
/// of a mosaic).
public struct SampleGeometry: Sendable {
    public var instances: Instances
    /// Current image size.
    public var width: Int
    public var height: Int
    public var file: URL
    /// (h0, w0) of the original image.
    public var origShape: (h: Int, w: Int)
    /// The reference's `resized_shape`: the loaded size, then the canvas or warp output size.
    public var resizedShape: (h: Int, w: Int)
    /// (h/h0, w/w0) of the loaded image.
    public var ratioPad: (h: Double, w: Double)
    /// The batch shape in `rect` training (the perspective output size), else nil.
    public var rectShape: (h: Int, w: Int)?

    public init(instances: Instances, width: Int, height: Int, file: URL, origShape: (h: Int, w: Int),
                resizedShape: (h: Int, w: Int), ratioPad: (h: Double, w: Double), rectShape: (h: Int, w: Int)? = nil) {
        self.instances = instances
        self.width = width
        self.height = height
        self.file = file
        self.origShape = origShape
        self.resizedShape = resizedShape
        self.ratioPad = ratioPad
        self.rectShape = rectShape
    }

    /// A loaded dataset image: labels normalised to it become xyxy pixels.
    public init(labels: [PoseLabel], keypointCount: Int, file: URL, origShape: (h: Int, w: Int),
                loadedShape: (h: Int, w: Int), rectShape: (h: Int, w: Int)? = nil) {
        self.init(instances: Instances(labels: labels, keypointCount: keypointCount, width: loadedShape.w,
                                       height: loadedShape.h),
                  width: loadedShape.w, height: loadedShape.h, file: file, origShape: origShape,
                  resizedShape: loadedShape,
                  ratioPad: (Double(loadedShape.h) / Double(origShape.h), Double(loadedShape.w) / Double(origShape.w)),
                  rectShape: rectShape)
    }
}

/// How the reference's loader sizes an image: long side = `imgsz`, r = imgsz / max(h0, w0), new size
/// (min(ceil(w0·r), imgsz), min(ceil(h0·r), imgsz)); unchanged when r = 1.
public func loadedImageShape(h0: Int, w0: Int, imgsz: Int) -> (h: Int, w: Int) {
    let r = Double(imgsz) / Double(max(h0, w0))
    guard r != 1 else { return (h0, w0) }
    return (min(Int((Double(h0) * r).rounded(.up)), imgsz), min(Int((Double(w0) * r).rounded(.up)), imgsz))
}
