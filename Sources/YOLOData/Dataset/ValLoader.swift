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

    public var count: Int { batchShapes.count }

    /// Loads batch `i` (0 ≤ i < count); images are read in parallel.
    public func batch(at i: Int) throws -> ValBatch {
        precondition(i >= 0 && i < count, "ValLoader: batch \(i) out of range 0..<\(count)")
        let idx = Array(order[(i * batchSize)..<Swift.min((i + 1) * batchSize, order.count)])
        let shape = batchShapes[i]
        var slots = [Result<(LetterboxResult, (h: Int, w: Int)), Error>?](repeating: nil, count: idx.count)
        slots.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: idx.count) { j in
                base[j] = Result { try load(scan.images[idx[j]].url, shape: shape) }
            }
        }
        var batch = ValBatch(images: [], files: [], indices: idx, origShapes: [], loadedShapes: [], shape: shape,
                             ratioPads: [], labels: [])
        for (j, slot) in slots.enumerated() {
            let (lb, loaded) = try slot!.get()
            let item = scan.images[idx[j]]
            let h0 = item.shape.h, w0 = item.shape.w
            let r = lb.ratio
            batch.images.append(lb.image)
            batch.files.append(item.url)
            batch.origShapes.append((h0, w0))
            batch.loadedShapes.append(loaded)
            let gainH: Double = Double(loaded.h) / Double(h0) * r
            let gainW: Double = Double(loaded.w) / Double(w0) * r
            batch.ratioPads.append(((gainH, gainW), (lb.pad.left, lb.pad.top)))
            // Normalised (loaded image) → loaded pixels → ×r + pad → normalised by the final W, H (float32).
            let lw = Float(loaded.w), lh = Float(loaded.h), fr = Float(r)
            let pl = Float(lb.pad.left), pt = Float(lb.pad.top)
            let W = Float(shape.w), H = Float(shape.h)
            batch.labels.append(item.labels.map { l in
                let b = l.box
                let box = SIMD4<Float>((b.x * lw * fr + pl) / W, (b.y * lh * fr + pt) / H,
                                       (b.z * lw * fr) / W, (b.w * lh * fr) / H)
                let kp = l.keypoints.map { p in
                    SIMD3<Float>((p.x * lw * fr + pl) / W, (p.y * lh * fr + pt) / H, p.z)
                }
                return PoseLabel(cls: l.cls, box: box, keypoints: kp)
            })
        }
        return batch
    }

    /// Reads an image (BGR, EXIF applied), scales its long side to `imgsz`, letterboxes it to `shape`.
    func load(_ url: URL, shape: (h: Int, w: Int)) throws -> (LetterboxResult, (h: Int, w: Int)) {
        var img = try ImageIO.read(url, order: .bgr)
        let h0 = img.height, w0 = img.width
        let r = Double(imgsz) / Double(Swift.max(h0, w0))
        if r != 1 {
            let w = Swift.min(Int((Double(w0) * r).rounded(.up)), imgsz)
            let h = Swift.min(Int((Double(h0) * r).rounded(.up)), imgsz)
            img = img.resized(width: w, height: h)
        }
        let lb = letterbox(img, to: (shape.h, shape.w), auto: false, stride: stride, scaleUp: false, center: true)
        return (lb, (img.height, img.width))
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
