import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads training images as the reference's dataset does — BGR, EXIF applied, long side resized to imgsz
/// (INTER_LINEAR, OpenCV-exact; skipped when the ratio is 1) — and keeps them: all of them with `cache=ram`, otherwise
/// the most recently used ones (at least the mosaic buffer's worth). Thread-safe; an image being decoded by one
/// thread is waited for by the others.
///
/// A fresh `.npy` beside an image (modified no earlier than the image) is read instead of decoding it, in every cache
/// mode, as the reference does; with `cache=disk` such files are written first (into `npyDirectory` when the
/// dataset folder is not writable).
final class TrainImageStore: @unchecked Sendable {
    let scan: DatasetScan
    let imgsz: Int
    private(set) var mode: ImageCacheMode
    private let capacity: Int
    private let npyFallback: URL
    private let lock = NSCondition()
    private var images: [Int: Image] = [:]
    private var lastUse: [Int: UInt64] = [:]
    private var clock: UInt64 = 0
    private var loading: Set<Int> = []

    init(scan: DatasetScan, imgsz: Int, mode: ImageCacheMode, capacity: Int, npyFallback: URL? = nil) {
        self.scan = scan
        self.imgsz = imgsz
        self.mode = mode
        self.capacity = max(capacity, 1)
        self.npyFallback = npyFallback ?? TrainImageStore.defaultNpyDirectory()
    }

    /// Fills the cache for `ram` / `disk`; falls back to no cache (with a warning) when memory or disk space is short.
    func prepare(prefix: String, log: (String) -> Void) {
        let gb = Double(1 << 30)
        switch mode {
        case .none:
            return
        case .ram:
            let bytes = scan.images.reduce(0) { s, item in
                let sh = loadedImageShape(h0: item.shape.h, w0: item.shape.w, imgsz: imgsz)
                return s + sh.h * sh.w * 3
            }
            if let available = TrainImageStore.availableMemory(), Double(bytes) * 2 > Double(available) {
                log("WARNING ⚠️ \(prefix)\(String(format: "%.1f", Double(bytes) * 2 / gb))GB RAM required to cache images with 100% safety margin but only \(String(format: "%.1f", Double(available) / gb))GB available, not caching images")
                mode = .none
                return
            }
            var results = [Result<Image, Error>?](repeating: nil, count: scan.images.count)
            results.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: scan.images.count) { i in
                    base[i] = Result { try self.decode(i) }
                }
            }
            var total = 0
            lock.lock()
            for (i, r) in results.enumerated() {
                if case .success(let img)? = r { images[i] = img; total += img.pixels.count }
            }
            lock.unlock()
            log("\(prefix)Caching images (\(String(format: "%.1f", Double(total) / gb))GB RAM)")
        case .disk:
            let bytes = scan.images.reduce(0) { $0 + $1.shape.h * $1.shape.w * 3 }
            let dir = npyURL(0).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            if let free = TrainImageStore.freeDiskSpace(dir), Double(bytes) * 1.1 > Double(free) {
                log("WARNING ⚠️ \(prefix)\(String(format: "%.1f", Double(bytes) * 1.1 / gb))GB disk space required, with 10% safety margin but only \(String(format: "%.1f", Double(free) / gb))GB free, not caching images to disk")
                mode = .none
                return
            }
            if !LabelScanner.isWritableDirectory(scan.images[0].url.deletingLastPathComponent()) {
                log("\(prefix)Image folder \(scan.images[0].url.deletingLastPathComponent().path) is not writable, caching images to disk in \(npyFallback.path) instead")
            }
            var written = [Int](repeating: 0, count: scan.images.count)
            written.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: scan.images.count) { i in
                    base[i] = self.writeNpy(i, log: log)
                }
            }
            log("\(prefix)Caching images (\(String(format: "%.1f", Double(written.reduce(0, +)) / gb))GB Disk)")
        }
    }

    /// Image `i` with its long side at imgsz.
    func image(_ i: Int) throws -> Image {
        lock.lock()
        while true {
            if let img = images[i] {
                clock += 1
                lastUse[i] = clock
                lock.unlock()
                return img
            }
            if !loading.contains(i) { break }
            lock.wait()
        }
        loading.insert(i)
        lock.unlock()
        let result = Result { try decode(i) }
        lock.lock()
        loading.remove(i)
        if case .success(let img) = result {
            images[i] = img
            clock += 1
            lastUse[i] = clock
            if mode != .ram && images.count > capacity, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
                images.removeValue(forKey: oldest)
                lastUse.removeValue(forKey: oldest)
            }
        }
        lock.broadcast()
        lock.unlock()
        return try result.get()
    }

    /// Reads (from a fresh .npy when there is one), checks the size against the scan, resizes.
    private func decode(_ i: Int) throws -> Image {
        let item = scan.images[i]
        var img: Image?
        for npy in npyCandidates(i) where isFresh(npy, comparedTo: item.url) {
            img = NpyImage.read(npy)
            if img != nil { break }
        }
        let raw = try img ?? ImageIO.read(item.url, order: .bgr)
        guard raw.height == item.shape.h, raw.width == item.shape.w else {
            throw ImageError.cannotDecode(name: item.url.path, reason: "image is \(raw.width)×\(raw.height), the dataset scan found \(item.shape.w)×\(item.shape.h); it changed since the scan")
        }
        let sh = loadedImageShape(h0: raw.height, w0: raw.width, imgsz: imgsz)
        return sh.h == raw.height && sh.w == raw.width ? raw : raw.resized(width: sh.w, height: sh.h)
    }

    /// Writes image i's .npy when missing or stale; returns its size in bytes (0 on failure).
    private func writeNpy(_ i: Int, log: (String) -> Void) -> Int {
        let url = npyURL(i), src = scan.images[i].url
        if isFresh(url, comparedTo: src), let st = LabelScanner.statSizeMtime(url.path) { return Int(st.0) }
        do {
            let img = try ImageIO.read(src, order: .bgr)
            try NpyImage.write(img, to: url)
            return LabelScanner.statSizeMtime(url.path).map { Int($0.0) } ?? 0
        } catch {
            try? FileManager.default.removeItem(at: url)
            log("WARNING ⚠️ Failed to cache image \(url.path): \(error)")
            return 0
        }
    }

    /// `<image>.npy` beside the image, then (for cache=disk) the fallback copy.
    private func npyCandidates(_ i: Int) -> [URL] {
        let beside = scan.images[i].url.deletingPathExtension().appendingPathExtension("npy")
        return mode == .disk ? [beside, npyURL(i)] : [beside]
    }

    /// Where cache=disk writes image i's .npy.
    func npyURL(_ i: Int) -> URL {
        let img = scan.images[i].url
        let dir = img.deletingLastPathComponent()
        let name = img.deletingPathExtension().lastPathComponent + ".npy"
        if LabelScanner.isWritableDirectory(dir) { return dir.appendingPathComponent(name) }
        return npyFallback.appendingPathComponent(fnv1a64Hex(Array(dir.path.utf8)), isDirectory: true)
            .appendingPathComponent(name)
    }

    private func isFresh(_ npy: URL, comparedTo image: URL) -> Bool {
        guard let n = LabelScanner.statSizeMtime(npy.path), let m = LabelScanner.statSizeMtime(image.path) else { return false }
        return n.1 >= m.1
    }

    static func defaultNpyDirectory() -> URL {
        LabelScanner.defaultFallbackDirectory().deletingLastPathComponent().appendingPathComponent("npy", isDirectory: true)
    }

    /// MemAvailable from /proc/meminfo, in bytes.
    static func availableMemory() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }) else { return nil }
        let kb = line.split(separator: " ").compactMap { Int($0) }.first
        return kb.map { $0 * 1024 }
    }

    static func freeDiskSpace(_ dir: URL) -> Int? {
        var st = statvfs()
        guard statvfs(dir.path, &st) == 0 else { return nil }
        return Int(st.f_bavail) * Int(st.f_frsize)
    }
}
