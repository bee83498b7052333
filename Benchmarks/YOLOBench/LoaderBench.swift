import Foundation
import YOLOData

/// Training loader throughput at `imgsz` with the default pipeline (mosaic, perspective, HSV, flips) on coco8-pose's
/// 8 images, batches of 2 (so workers overlap), with 1 and 2 background workers; and the plain decode+resize rate
/// for scale. Ours only: the reference's loader is timed as part of `--train`.
enum LoaderBench {
    static func run(options o: Options) throws {
        let coco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/coco8-pose")
        let cacheDir = URL(fileURLWithPath: o.out).appendingPathComponent("loader-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cacheDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let scan = try LabelScanner.scan(imageDirOrList: ["images/train", "images/val"].map { coco.appendingPathComponent($0).path },
                                         kptShape: [17, 3], nc: 1, fallbackCacheDirectory: cacheDir, log: { _ in })
        var t = Date()
        var decoded = 0
        for _ in 0..<3 {
            for item in scan.images {
                let raw = try ImageIO.read(item.url)
                let shape = loadedImageShape(h0: raw.height, w0: raw.width, imgsz: o.imgsz)
                _ = raw.resized(width: shape.w, height: shape.h)
                decoded += 1
            }
        }
        let decodeRate = Double(decoded) / Date().timeIntervalSince(t)
        print(String(format: "decode+resize to %d: %.1f images/s", o.imgsz, decodeRate))
        for workers in [1, 2] {
            let loader = try TrainLoader(scan: scan, imgsz: o.imgsz, batch: 2, seed: 0,
                                         flipIdx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15],
                                         workers: workers, log: { _ in })
            _ = loader.loadBatch(Array(0..<scan.images.count), epoch: 0, batchIndex: 0)  // images cached
            t = Date()
            var n = 0
            for epoch in 1...10 {
                let stream = loader.stream(epoch: epoch)
                for i in 0..<stream.count { n += stream.batch(i).samples.count }
                stream.cancel()
            }
            print(String(format: "loader %d mosaic, %d worker(s): %.1f images/s", o.imgsz, workers,
                         Double(n) / Date().timeIntervalSince(t)))
        }
    }
}
