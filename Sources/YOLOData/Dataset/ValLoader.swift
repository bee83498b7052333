import Foundation

/// One validation batch: letterboxed BGR images of one size, with their metadata and labels.
///
/// Labels follow the reference's collated batch: `box` is normalised xywh and keypoint x, y are normalised, both
/// relative to the **letterboxed** image (`shape.w`, `shape.h`); visibility is unchanged. Multiply by (W, H) for input
/// pixels, or use `ratioPads` to map input pixels back to the original image:
/// original = (input − pad) / gain.
public struct ValBatch: Sendable {
    /// Letterboxed images, BGR, all `shape.h × shape.w`.
    public var images: [Image]
    public var files: [URL]
    /// Index of each image in `DatasetScan.images`.
    public var indices: [Int]
    /// (h0, w0) of the original image (after EXIF orientation).
    public var origShapes: [(h: Int, w: Int)]
    /// Size after the long-side = imgsz resize, before letterboxing.
    public var loadedShapes: [(h: Int, w: Int)]
    /// Batch image size (H, W). The reference reports this as every image's `resized_shape`.
    public var shape: (h: Int, w: Int)
    /// ((h/h0·r, w/w0·r), (left, top)): input pixels → original pixels.
    public var ratioPads: [(gain: (h: Double, w: Double), pad: (left: Int, top: Int))]
    public var labels: [[PoseLabel]]

    public init(images: [Image], files: [URL], indices: [Int], origShapes: [(h: Int, w: Int)],
                loadedShapes: [(h: Int, w: Int)], shape: (h: Int, w: Int),
                ratioPads: [(gain: (h: Double, w: Double), pad: (left: Int, top: Int))], labels: [[PoseLabel]]) {
        self.images = images
        self.files = files
        self.indices = indices
        self.origShapes = origShapes
        self.loadedShapes = loadedShapes
        self.shape = shape
        self.ratioPads = ratioPads
        self.labels = labels
    }
}

/// The validation loader: rect batches in ascending aspect-ratio order, each image loaded with its long side scaled
/// to `imgsz` (INTER_LINEAR, skipped when the ratio is 1) and letterboxed without upscaling, centred, fill 114, to the
/// batch shape ceil(s·imgsz/stride + pad)·stride, where s is [max ar, 1] if every ar = h/w < 1, [1, 1/min ar] if every
/// ar > 1, else [1, 1].
///
/// Iterating yields `Result<ValBatch, Error>` (an image may fail to load); `batch(at:)` throws instead.
/// Ties in aspect ratio keep scan (path) order; the reference's unstable argsort may order ties differently on
/// datasets of more than 16 images, which changes only the order within equal-shape runs.
public struct ValLoader: Sequence, Sendable {
    public let scan: DatasetScan
    public let imgsz: Int
    public let batchSize: Int
    public let stride: Int
    public let pad: Double
    /// Scan indices in sorted aspect-ratio order.
    public let order: [Int]
    /// Shape (H, W) of each batch.
    public let batchShapes: [(h: Int, w: Int)]

    public init(scan: DatasetScan, imgsz: Int, batch: Int, stride: Int = 32, pad: Double = 0.5) {
        precondition(imgsz > 0 && batch > 0 && stride > 0, "ValLoader: imgsz, batch and stride must be positive")
        self.scan = scan
        self.imgsz = imgsz
        self.batchSize = batch
        self.stride = stride
        self.pad = pad
        let ar = scan.images.map { Double($0.shape.h) / Double($0.shape.w) }
        let order = ar.indices.sorted { ar[$0] < ar[$1] || (ar[$0] == ar[$1] && $0 < $1) }
        self.order = order
        let nb = (order.count + batch - 1) / batch
        var shapes: [(h: Int, w: Int)] = []
        for b in 0..<nb {
            let group = order[(b * batch)..<Swift.min((b + 1) * batch, order.count)].map { ar[$0] }
            let mini = group.min()!, maxi = group.max()!
            var s = (h: 1.0, w: 1.0)
            if maxi < 1 { s = (maxi, 1) } else if mini > 1 { s = (1, 1 / mini) }
            func side(_ v: Double) -> Int {
                Int((v * Double(imgsz) / Double(stride) + pad).rounded(.up)) * stride
            }
            shapes.append((side(s.h), side(s.w)))
        }
        self.batchShapes = shapes
    }

    /// The loader without rect batches (the reference's `rect=False`, used for static-shape exports): images in scan
    /// order, each loaded with its long side scaled to max(h, w) and letterboxed without upscaling to `shape`.
    public init(scan: DatasetScan, fixedShape shape: (h: Int, w: Int), batch: Int, stride: Int = 32) {
        precondition(shape.h > 0 && shape.w > 0 && batch > 0, "ValLoader: shape and batch must be positive")
        self.scan = scan
        self.imgsz = Swift.max(shape.h, shape.w)
        self.batchSize = batch
        self.stride = stride
        self.pad = 0
        self.order = Array(scan.images.indices)
        self.batchShapes = [(h: Int, w: Int)](repeating: shape, count: (scan.images.count + batch - 1) / batch)
    }

    public var count: Int { batchShapes.count }

    /// Loads batch `i` (0 ≤ i < count); images are read in parallel.
    public func batch(at i: Int) throws -> ValBatch {
        precondition(i >= 0 && i < count, "ValLoader: batch \(i) out of range 0..<\(count)")
        let idx = Array(order[(i * batchSize)..<Swift.min((i + 1) * batchSize, order.count)])
        let shape = batchShapes[i]
        let samples = try LetterboxedSample.loadAll(idx.map { scan.images[$0] }, imgsz: imgsz, shape: shape, stride: stride)
        return ValBatch(images: samples.map(\.image), files: samples.map(\.file), indices: idx,
                        origShapes: samples.map(\.origShape), loadedShapes: samples.map(\.loadedShape), shape: shape,
                        ratioPads: samples.map(\.ratioPad), labels: samples.map(\.labels))
    }

    public struct Iterator: IteratorProtocol {
        let loader: ValLoader
        var position = 0
        public mutating func next() -> Result<ValBatch, Error>? {
            guard position < loader.count else { return nil }
            defer { position += 1 }
            return Result { try loader.batch(at: position) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(loader: self) }
}
