import Foundation
import YOLOTensor

/// One training batch: the network input and the labels of each image, normalised to the input size.
public struct TrainBatch: @unchecked Sendable {
    /// NHWC RGB in [0, 1], `[B, S, S, 3]`.
    public var images: Tensor
    /// The letterboxed BGR images (plots of training batches).
    public var samples: [LetterboxedSample]
    /// Objects per image (the collated `cls`/`bboxes`/`keypoints` split by `batch_idx`).
    public var labels: [[PoseLabel]] { samples.map(\.labels) }
    /// Number of objects in the batch.
    public var instances: Int { samples.reduce(0) { $0 + $1.labels.count } }
}

/// The plain training loader (augmentation off): every image letterboxed to `imgsz × imgsz` (what the reference's
/// train pipeline produces with mosaic, perspective, HSV and flips off), batches of `batch` in a shuffled order that
/// depends only on `seed` and the epoch, the last batch possibly smaller (no drop_last).
public struct TrainLoader: Sendable {
    public let scan: DatasetScan
    public let imgsz: Int
    public let batchSize: Int
    public let stride: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(scan: DatasetScan, imgsz: Int, batch: Int, stride: Int = 32, shuffle: Bool = true, seed: UInt64 = 0) {
        precondition(imgsz > 0 && batch > 0 && stride > 0, "TrainLoader: imgsz, batch and stride must be positive")
        self.scan = scan
        self.imgsz = imgsz
        self.batchSize = batch
        self.stride = stride
        self.shuffle = shuffle
        self.seed = seed
    }

    /// Number of batches per epoch.
    public var count: Int { (scan.images.count + batchSize - 1) / batchSize }

    /// The image indices of each batch of `epoch`.
    public func batches(epoch: Int) -> [[Int]] {
        var order = Array(scan.images.indices)
        if shuffle {
            var rng = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            order.shuffle(using: &rng)
        }
        return Swift.stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    }

    /// Loads the images `indices` (in parallel) into a batch.
    public func load(_ indices: [Int]) throws -> TrainBatch {
        let samples = try LetterboxedSample.loadAll(indices.map { scan.images[$0] }, imgsz: imgsz,
                                                    shape: (imgsz, imgsz), stride: stride)
        let x = Tensor(uninitializedShape: [samples.count, imgsz, imgsz, 3])
        for (b, s) in samples.enumerated() { s.image.writeRGB01(into: x.pointer + b * imgsz * imgsz * 3) }
        x.markModified()
        return TrainBatch(images: x, samples: samples)
    }
}

/// Loads the batches of one epoch on a background thread, at most `depth` ahead of the consumer.
public final class BatchPrefetcher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "yolo.train.prefetch")
    private var results: [Int: Result<TrainBatch, Error>] = [:]
    private let lock = NSCondition()
    private let slots: DispatchSemaphore
    private var cancelled = false

    /// Starts loading `batches` with `loader`.
    public init(loader: TrainLoader, batches: [[Int]], depth: Int = 2) {
        slots = DispatchSemaphore(value: depth)
        queue.async { [self] in
            for (i, idx) in batches.enumerated() {
                slots.wait()
                lock.lock()
                let stop = cancelled
                lock.unlock()
                if stop { return }
                let r = Result { try loader.load(idx) }
                lock.lock()
                results[i] = r
                lock.broadcast()
                lock.unlock()
            }
        }
    }

    /// Batch `i` (blocks until it is loaded). Each batch may be taken once.
    public func batch(_ i: Int) throws -> TrainBatch {
        lock.lock()
        while results[i] == nil { lock.wait() }
        let r = results.removeValue(forKey: i)!
        lock.unlock()
        slots.signal()
        return try r.get()
    }

    /// Stops loading further batches.
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
        slots.signal()
    }
}
