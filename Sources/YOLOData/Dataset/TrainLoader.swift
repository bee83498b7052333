import Foundation
import YOLOTensor

/// The training loader: the reference's train dataset and its augmentation pipeline (`TrainAugmenter`), feeding
/// batches of `batch` images in an order shuffled by `seed` and the epoch (the last batch may be smaller).
///
/// Images load as the reference's do (long side = imgsz) into a cache (`TrainImageStore`); mosaic draws its other
/// tiles from the buffer of recently loaded images (min(N, 8·batch, 1000)), or from the whole dataset with
/// `cache=ram`. With `rect`, images are ordered by aspect ratio, batches keep that order (shuffled only when every
/// batch has the same shape) and each is warped to its batch shape, without mosaic, mixup or cutmix.
///
/// Every sample has its own generator, seeded from (seed, epoch, position), and samples are planned in order, so a
/// given seed gives the same batches with any number of workers. An image that fails to load is reported once and
/// its sample left out of the batch; training goes on. `keypointCount` defaults to the labels' (K of kpt_shape).
///
/// Data-parallel training gives each of `worldSize` processes its own loader with its `rank`: every rank shuffles the
/// whole dataset with the same seed, pads the order to a multiple of `worldSize` by repeating its start and takes
/// every `worldSize`-th index from position `rank` (torch's DistributedSampler), and augments with its own generators.
public final class TrainLoader: @unchecked Sendable {
    public let scan: DatasetScan
    public let imgsz: Int
    public let batchSize: Int
    public let stride: Int
    public let seed: UInt64
    public let rect: Bool
    /// This process's shard of each epoch: rank `rank` of `worldSize`.
    public let rank: Int, worldSize: Int
    /// Background threads preparing batches.
    public let workers: Int
    /// Dataset index → scan index (the aspect-ratio order in rect mode, else the identity).
    public let order: [Int]
    /// The batch shape of each dataset index in rect mode.
    public let rectShapes: [(h: Int, w: Int)]?
    public var cacheMode: ImageCacheMode { store.mode }
    public private(set) var augmenter: TrainAugmenter
    let store: TrainImageStore
    let log: (String) -> Void
    private let flipIdx: [Int]?
    private let keypointCount: Int
    private let planLock = NSLock()
    private var buffer: MosaicBuffer
    private var bad: Set<Int> = []
    private var reported: Set<String> = []

    public init(scan: DatasetScan, imgsz: Int, batch: Int, stride: Int = 32, seed: UInt64 = 0,
                augment: AugmentConfig = AugmentConfig(), keypointCount: Int? = nil, flipIdx: [Int]?, rect: Bool = false,
                cache: ImageCacheMode = .none, workers: Int = 2, npyDirectory: URL? = nil, prefix: String = "",
                rank: Int = 0, worldSize: Int = 1,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws {
        precondition(imgsz > 0 && batch > 0 && stride > 0, "TrainLoader: imgsz, batch and stride must be positive")
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "TrainLoader: rank \(rank) of \(worldSize)")
        self.rank = rank
        self.worldSize = worldSize
        precondition(!scan.images.isEmpty, "TrainLoader: no images")
        self.scan = scan
        self.imgsz = imgsz
        self.batchSize = batch
        self.stride = stride
        self.seed = seed
        self.rect = rect
        self.workers = max(1, workers)
        self.flipIdx = flipIdx
        self.log = log
        self.keypointCount = keypointCount
            ?? scan.images.first { !$0.labels.isEmpty }?.labels[0].keypoints.count ?? (flipIdx?.count ?? 0)
        if rect {
            let r = TrainLoader.rectangles(scan, imgsz: imgsz, batch: batch, stride: stride)
            order = r.order
            rectShapes = r.shapes
        } else {
            order = Array(scan.images.indices)
            rectShapes = nil
        }
        augmenter = try TrainAugmenter(imgsz: imgsz, config: augment, keypointCount: self.keypointCount,
                                       flipIdx: flipIdx, rect: rect)
        let n = scan.images.count
        store = TrainImageStore(scan: scan, imgsz: imgsz, mode: cache,
                                capacity: min(n, batch * 8, 1000) + 4 * batch * self.workers, npyFallback: npyDirectory)
        store.prepare(prefix: prefix, log: log)
        buffer = MosaicBuffer(datasetCount: n, batchSize: batch, enabled: store.mode != .ram)
    }

    /// Samples this rank takes per epoch (the whole dataset for one process).
    public var samplesPerEpoch: Int { (order.count + worldSize - 1) / worldSize }

    /// Number of batches per epoch.
    public var count: Int { (samplesPerEpoch + batchSize - 1) / batchSize }

    /// The dataset indices of each batch of `epoch`.
    public func batches(epoch: Int) -> [[Int]] {
        var idx = Array(order.indices)
        let shuffle = rectShapes.map { s in s.allSatisfy { $0 == s[0] } } ?? true
        if shuffle {
            var rng = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            idx.shuffle(using: &rng)
        }
        if worldSize > 1 {
            let total = samplesPerEpoch * worldSize
            var padded = idx
            while padded.count < total { padded += idx.prefix(total - padded.count) }
            idx = Swift.stride(from: rank, to: total, by: worldSize).map { padded[$0] }
        }
        return Swift.stride(from: 0, to: idx.count, by: batchSize).map { Array(idx[$0..<min($0 + batchSize, idx.count)]) }
    }

    /// Turns mosaic, mixup, cutmix and copy_paste off for the batches planned from now on (`close_mosaic`).
    public func closeMosaic() throws {
        planLock.lock()
        defer { planLock.unlock() }
        augmenter = try TrainAugmenter(imgsz: imgsz, config: augmenter.config.closingMosaic,
                                       keypointCount: keypointCount, flipIdx: flipIdx, rect: rect)
    }

    /// Dataset image `i` as loaded: labels in its pixels, its rect shape in rect mode.
    public func geometry(_ i: Int) -> SampleGeometry {
        let item = scan.images[order[i]]
        return SampleGeometry(labels: item.labels, keypointCount: keypointCount, file: item.url,
                              origShape: (item.shape.h, item.shape.w),
                              loadedShape: loadedImageShape(h0: item.shape.h, w0: item.shape.w, imgsz: imgsz),
                              rectShape: rectShapes?[i])
    }

    /// Plans the samples of batch `batchIndex` of `epoch` (dataset indices), in order; nil for an image known to be
    /// unreadable. Batches must be planned in order: planning advances the mosaic buffer.
    public func plan(_ indices: [Int], epoch: Int, batchIndex: Int) -> [PlannedSample?] {
        planLock.lock()
        defer { planLock.unlock() }
        for b in bad { buffer.remove(b) }
        return indices.enumerated().map { j, i in
            guard !bad.contains(i) else { return nil }
            // Ranks above 0 augment with generators of their own (the reference seeds each rank with seed + 1 + rank).
            let rankSeed = seed &+ UInt64(rank) &* 0x5851_F42D_4C95_7F2D
            var random = SeededAugmentRandom(seed: rankSeed, epoch: epoch, position: batchIndex * batchSize + j)
            return augmenter.plan(index: i, count: order.count, geometry: geometry, buffer: &buffer, random: &random)
        }
    }

    /// Renders planned samples into a batch (any thread). A sample whose image fails is reported once and left out.
    public func render(_ plans: [PlannedSample?]) -> TrainBatch {
        var samples: [TrainSample] = []
        for p in plans.compactMap({ $0 }) {
            var failed: Int?
            do {
                let img = try p.recipe.render { i in
                    do { return try store.image(order[i]) } catch { failed = i; throw error }
                }
                let g = p.geometry
                samples.append(TrainSample(image: img, reverseChannels: p.reverseChannels, labels: p.labels, file: g.file,
                                           origShape: g.origShape, resizedShape: g.resizedShape, ratioPad: g.ratioPad))
            } catch {
                report(error, index: failed)
            }
        }
        let shape = samples.first.map { ($0.image.height, $0.image.width) }
            ?? plans.compactMap { $0 }.first.map { ($0.geometry.height, $0.geometry.width) } ?? (imgsz, imgsz)
        return TrainBatch(samples: samples, shape: shape)
    }

    /// Plans and renders one batch on the calling thread.
    public func loadBatch(_ indices: [Int], epoch: Int, batchIndex: Int) -> TrainBatch {
        render(plan(indices, epoch: epoch, batchIndex: batchIndex))
    }

    /// The batches of `epoch`, prepared by `workers` background threads at most `depth` batches per worker ahead.
    public func stream(epoch: Int, depth: Int = 2) -> TrainBatchStream {
        TrainBatchStream(loader: self, epoch: epoch, batches: batches(epoch: epoch), workers: workers, depth: depth)
    }

    private func report(_ error: Error, index: Int?) {
        let message = "WARNING ⚠️ train: skipping a sample: \(error)"
        planLock.lock()
        if let i = index { bad.insert(i) }
        let first = reported.insert(message).inserted
        planLock.unlock()
        if first { log(message) }
    }

    /// The reference's rect training order and shapes: ascending aspect ratio h/w (ties in scan order), batches of
    /// `batch` consecutive images, shape ceil(s·imgsz/stride)·stride with s = [max ar, 1] if all ar < 1,
    /// [1, 1/min ar] if all ar > 1, else [1, 1].
    static func rectangles(_ scan: DatasetScan, imgsz: Int, batch: Int, stride: Int) -> (order: [Int], shapes: [(h: Int, w: Int)]) {
        let ar = scan.images.map { Double($0.shape.h) / Double($0.shape.w) }
        let order = ar.indices.sorted { ar[$0] < ar[$1] || (ar[$0] == ar[$1] && $0 < $1) }
        var shapes: [(h: Int, w: Int)] = []
        for start in Swift.stride(from: 0, to: order.count, by: batch) {
            let group = order[start..<min(start + batch, order.count)].map { ar[$0] }
            let lo = group.min()!, hi = group.max()!
            var s = (h: 1.0, w: 1.0)
            if hi < 1 { s = (hi, 1) } else if lo > 1 { s = (1, 1 / lo) }
            func side(_ v: Double) -> Int { Int((v * Double(imgsz) / Double(stride)).rounded(.up)) * stride }
            let shape = (h: side(s.h), w: side(s.w))
            shapes.append(contentsOf: Array(repeating: shape, count: group.count))
        }
        return (order, shapes)
    }
}
