import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

/// The augmenting loader: reproducible batches, background workers, caches, close_mosaic, rect, unreadable images.
final class TrainLoaderTests: XCTestCase {
    private func loader(_ scan: DatasetScan, imgsz: Int = 64, seed: UInt64 = 0, workers: Int = 2,
                        cache: ImageCacheMode = .none, rect: Bool = false, npy: URL? = nil,
                        config: AugmentConfig = AugmentConfig(),
                        log: @escaping (String) -> Void = { _ in }) throws -> TrainLoader {
        try TrainLoader(scan: scan, imgsz: imgsz, batch: 3, seed: seed, augment: config,
                        flipIdx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15], rect: rect, cache: cache,
                        workers: workers, npyDirectory: npy, log: log)
    }

    private func fingerprint(_ b: TrainBatch) -> [String] {
        b.samples.map { s in
            crc32Hex(s.networkImage.pixels) + " " + s.labels.map { "\($0.cls) \($0.box) \($0.keypoints.map { [$0.x, $0.y, $0.z] })" }.joined()
        }
    }

    /// Same seed → the same first batches, whatever the number of workers; another seed → other batches.
    func testSameSeedSameBatches() throws {
        let scan = try augmentScan(self)
        var runs: [[[String]]] = []
        for (seed, workers) in [(UInt64(0), 2), (0, 1), (1, 2)] {
            let l = try loader(scan, seed: seed, workers: workers)
            var batches: [[String]] = []
            for epoch in 0..<2 {
                let s = l.stream(epoch: epoch)
                for i in 0..<s.count { batches.append(fingerprint(s.batch(i))) }
                s.cancel()
            }
            runs.append(batches)
        }
        XCTAssertEqual(runs[0].count, 6)
        XCTAssertEqual(runs[0], runs[1], "1 and 2 workers")
        XCTAssertNotEqual(runs[0], runs[2], "another seed")
        // The tensor holds the network image.
        let b = try loader(scan).loadBatch([0, 1], epoch: 0, batchIndex: 0)
        XCTAssertEqual(b.images.shape, [2, 64, 64, 3])
        XCTAssertEqual(b.images.pointer[0], Float(b.samples[0].networkImage.pixels[0]) / 255)
    }

    func testCloseMosaicAndRect() throws {
        let scan = try augmentScan(self)
        let l = try loader(scan)
        XCTAssertEqual(l.augmenter.config.mosaic, 1)
        try l.closeMosaic()
        XCTAssertEqual(l.augmenter.config.mosaic, 0)
        XCTAssertEqual(l.augmenter.config.fliplr, 0.5)
        let b = l.loadBatch([0, 1, 2], epoch: 0, batchIndex: 0)
        XCTAssertEqual(b.shape.h, 64)
        // Rect: aspect-ratio order, batch shapes, no shuffle when shapes differ (at 64 px every shape is 64 × 64,
        // and batches are shuffled as usual).
        let r = try loader(scan, imgsz: 160, rect: true)
        XCTAssertEqual(r.batches(epoch: 0), [[0, 1, 2], [3, 4, 5], [6, 7]])
        XCTAssertEqual(r.batches(epoch: 1), r.batches(epoch: 0))
        XCTAssertEqual(r.augmenter.config.mosaic, 0)
        var shapes: [[Int]] = []
        for idx in r.batches(epoch: 0) {
            let batch = r.loadBatch(idx, epoch: 0, batchIndex: 0)
            let shape = r.rectShapes![idx[0]]
            XCTAssertEqual([batch.shape.h, batch.shape.w], [shape.h, shape.w])
            XCTAssertTrue(shape.h % 32 == 0 && shape.w % 32 == 0 && max(shape.h, shape.w) == 160)
            shapes.append([shape.h, shape.w])
        }
        XCTAssertEqual(shapes, [[128, 160], [160, 128], [160, 128]])
        let square = try loader(scan, rect: true)
        XCTAssertNotEqual(square.batches(epoch: 0), square.batches(epoch: 1))
    }

    /// cache=disk never writes into a read-only image folder: the .npy files go to the cache folder and are read
    /// back (same batches as without a cache); cache=ram gives the same images too.
    func testDiskCacheRespectsReadOnlyDataset() throws {
        let tmp = try makeTempDir(self)
        let ro = tmp.appendingPathComponent("ro/images/train"), rw = tmp.appendingPathComponent("rw/images/train")
        for dir in [ro, rw] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["000000000036.jpg", "000000000049.jpg"] {
                try FileManager.default.copyItem(at: Fixtures.coco8Pose.appendingPathComponent("images/train/\(name)"),
                                                 to: dir.appendingPathComponent(name))
            }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro.path) }
        let base = try augmentScan(self)
        func scan(_ dir: URL) -> DatasetScan {
            var s = base
            s.images = Array(base.images.prefix(2)).map { var i = $0; i.url = dir.appendingPathComponent(i.url.lastPathComponent); return i }
            return s
        }
        let npy = tmp.appendingPathComponent("npy")
        var lines: [String] = []
        let plain = try loader(scan(ro), workers: 1).loadBatch([0, 1], epoch: 0, batchIndex: 0)
        let disk = try loader(scan(ro), workers: 1, cache: .disk, npy: npy, log: { lines.append($0) })
        XCTAssertEqual(disk.cacheMode, .disk)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: ro.path).filter { $0.hasSuffix(".npy") }, [])
        let cached = try FileManager.default.subpathsOfDirectory(atPath: npy.path).filter { $0.hasSuffix(".npy") }
        XCTAssertEqual(cached.count, 2)
        XCTAssertTrue(lines.contains { $0.contains("not writable") }, "\(lines)")
        XCTAssertEqual(fingerprint(disk.loadBatch([0, 1], epoch: 0, batchIndex: 0)), fingerprint(plain))
        _ = try loader(scan(rw), workers: 1, cache: .disk, npy: npy)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rw.path).filter { $0.hasSuffix(".npy") }.count, 2,
                       "a writable image folder gets the .npy files beside the images")
        let ram = try loader(scan(ro), workers: 1, cache: .ram, log: { lines.append($0) })
        XCTAssertEqual(ram.cacheMode, .ram)
        XCTAssertTrue(lines.contains { $0.contains("Caching images") && $0.contains("RAM") })
    }

    /// An image that cannot be read at training time is reported once and its samples are left out; the other
    /// samples still come.
    func testUnreadableImageIsSkipped() throws {
        let tmp = try makeTempDir(self)
        var scan = try augmentScan(self)
        scan.images = Array(scan.images.prefix(3))
        let bad = tmp.appendingPathComponent("broken.jpg")
        try Data("not a jpeg".utf8).write(to: bad)
        scan.images[1].url = bad
        var lines: [String] = []
        var c = AugmentConfig()
        c.mosaic = 0
        let l = try loader(scan, workers: 1, config: c, log: { lines.append($0) })
        let b1 = l.loadBatch([0, 1, 2], epoch: 0, batchIndex: 0)
        XCTAssertEqual(b1.samples.map(\.file.lastPathComponent), [scan.images[0].url.lastPathComponent, scan.images[2].url.lastPathComponent])
        let b2 = l.loadBatch([1, 2], epoch: 0, batchIndex: 1)
        XCTAssertEqual(b2.samples.count, 1)
        XCTAssertEqual(lines.filter { $0.contains("broken.jpg") }.count, 1, "\(lines)")
    }
}
