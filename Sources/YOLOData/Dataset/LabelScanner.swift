import CTurboJPEG
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a split's images, pairs them with label files, checks every label and keeps the result in a cache.
///
/// Pairing: the label of `…/images/…/x.jpg` is `…/labels/…/x.txt` (last `/images/` component replaced, extension
/// replaced by `txt`). The cache is `<labels folder>.swift.cache` beside the labels folder of the first image (JSON, own
/// format); it is reused only when the format version, every image and label file's path, size and mtime (ns), and
/// the scan settings are unchanged. If that folder is not writable, the cache goes to `fallbackCacheDirectory`
/// (default `$XDG_CACHE_HOME/yolo-swift/labels` or `~/.cache/yolo-swift/labels`) with a warning. `limit` keeps only the
/// first image files in path order before anything is read (the reference's `fraction`).
public enum LabelScanner {
    public static let cacheVersion = "yolo-swift-labels-1"

    public static func scan(imageDirOrList entries: [String], kptShape: [Int], nc: Int, singleCls: Bool = false,
                            limit: Int? = nil, fallbackCacheDirectory: URL? = nil,
                            log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        throws -> DatasetScan {
        precondition(kptShape.count == 2 && kptShape[0] > 0 && (kptShape[1] == 2 || kptShape[1] == 3),
                     "LabelScanner: kpt_shape \(kptShape) must be [K>0, 2|3]")
        var files = try imageFiles(entries)
        if let limit, limit < files.count { files = Array(files.prefix(max(limit, 0))) }
        let labels = files.map(labelPath(forImage:))
        let primary = cachePath(firstLabel: labels[0])
        let fallbackDir = fallbackCacheDirectory ?? defaultFallbackDirectory()
        let fallback = fallbackDir.appendingPathComponent(
            fnv1a64Hex(Array(primary.path.utf8)) + "-" + primary.lastPathComponent)
        let settings = "kpt_shape=\(kptShape) nc=\(nc) single_cls=\(singleCls) use_keypoints=true"
        let hash = fingerprint(files: files, labels: labels, settings: settings)

        // Reuse.
        for url in [primary, fallback] {
            if let cached = loadCache(url, hash: hash) {
                guard cached.isConsistent(kptCount: kptShape[0], nc: nc, singleCls: singleCls) else {
                    log("WARNING ⚠️ \(url.path): cache does not match its labels (edited or damaged), scanning again")
                    continue
                }
                var scan = cached.toScan(kptShape: kptShape, singleCls: singleCls)
                scan.cacheURL = url
                scan.fromCache = true
                for m in scan.messages { log(m) }
                try finish(scan, cacheURL: url, log: log)
                return scan
            }
        }

        // Rescan (images in parallel, results kept in order).
        let n = files.count
        var results = [Verified?](repeating: nil, count: n)
        let k = kptShape[0], d = kptShape[1]
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < n {
                    (base + i).pointee = verify(image: files[i], label: labels[i], k: k, d: d, nc: nc,
                                                singleCls: singleCls)
                    i += workers
                }
            }
        }
        var cache = CacheFile(version: cacheVersion, hash: hash, found: 0, missing: 0, empty: 0, corrupt: 0,
                              total: n, messages: [], labels: [])
        for r in results.map({ $0! }) {
            cache.found += r.found ? 1 : 0
            cache.missing += r.missing ? 1 : 0
            cache.empty += r.empty ? 1 : 0
            cache.corrupt += r.corrupt ? 1 : 0
            if let m = r.message { cache.messages.append(m) }
            if let rec = r.record { cache.labels.append(rec) }
        }
        for m in cache.messages { log(m) }

        // Save.
        var saved: URL?
        let dir = primary.deletingLastPathComponent()
        if isWritableDirectory(dir), save(cache, to: primary) {
            saved = primary
        } else {
            let fb = fallback.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: fb, withIntermediateDirectories: true)
            if save(cache, to: fallback) {
                saved = fallback
                log("WARNING ⚠️ Cache directory \(dir.path) is not writeable, cache saved to \(fallback.path) instead.")
            } else {
                log("WARNING ⚠️ Cache directory \(dir.path) is not writeable, cache not saved.")
            }
        }
        var scan = cache.toScan(kptShape: kptShape, singleCls: singleCls)
        scan.cacheURL = saved
        try finish(scan, cacheURL: saved ?? primary, log: log)
        return scan
    }

    private static func finish(_ scan: DatasetScan, cacheURL: URL, log: (String) -> Void) throws {
        if scan.images.isEmpty {
            throw DatasetError.noValidImages(cache: cacheURL.path, messages: scan.messages)
        }
        if scan.found == 0 {
            log("WARNING ⚠️ No labels found in \(cacheURL.path).")
        }
    }

    // MARK: Files

    /// Image files of the entries (folders searched recursively, `.txt` lists, or single files), sorted by path.
    public static func imageFiles(_ entries: [String]) throws -> [URL] {
        let fm = FileManager.default
        var paths: [String] = []
        for entry in entries {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: entry, isDirectory: &isDir) else { throw DatasetError.notFound(entry) }
            if isDir.boolValue {
                guard let en = fm.enumerator(at: URL(fileURLWithPath: entry, isDirectory: true),
                                             includingPropertiesForKeys: nil,
                                             options: [.skipsHiddenFiles]) else { continue }
                for case let u as URL in en {
                    let name = u.lastPathComponent
                    guard name.contains(".") else { continue }
                    var d: ObjCBool = false
                    if fm.fileExists(atPath: u.path, isDirectory: &d), !d.boolValue { paths.append(u.path) }
                }
            } else if entry.lowercased().hasSuffix(".txt") {
                let text = try String(contentsOfFile: entry, encoding: .utf8)
                let parent = (entry as NSString).deletingLastPathComponent + "/"
                for raw in text.split(whereSeparator: \.isNewline) {
                    let line = raw.trimmingCharacters(in: .whitespaces)
                    guard !line.isEmpty else { continue }
                    paths.append(line.hasPrefix("./") ? parent + line.dropFirst(2) : line)
                }
            } else {
                paths.append(entry)
            }
        }
        let images = paths.filter { p in
            guard let dot = p.lastIndex(of: "."), !p[dot...].contains("/") else { return false }
            return imageSuffixes.contains(p[p.index(after: dot)...].lowercased())
        }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        guard !images.isEmpty else { throw DatasetError.noImages(entries.joined(separator: ", ")) }
        return images.map { URL(fileURLWithPath: $0) }
    }

    /// `…/images/…/x.jpg` → `…/labels/…/x.txt` (last `/images/` replaced; extension replaced).
    public static func labelPath(forImage url: URL) -> URL {
        var p = url.path
        if let r = p.range(of: "/images/", options: .backwards) { p.replaceSubrange(r, with: "/labels/") }
        if let dot = p.lastIndex(of: ".") { p = String(p[..<dot]) }
        return URL(fileURLWithPath: p + ".txt")
    }

    /// `<labels folder of the first image, extension replaced by>.swift.cache`.
    static func cachePath(firstLabel: URL) -> URL {
        let dir = firstLabel.deletingLastPathComponent()
        let name = dir.lastPathComponent
        let stem = name.contains(".") && !name.hasPrefix(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        return dir.deletingLastPathComponent().appendingPathComponent(stem + ".swift.cache")
    }

    static func defaultFallbackDirectory() -> URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("yolo-swift/labels", isDirectory: true)
    }

    /// Writable by permission bits as well as by access(2): root may write anywhere, but a folder whose mode has no
    /// write bit (a read-only dataset) is treated as read-only.
    static func isWritableDirectory(_ url: URL) -> Bool {
        var st = stat()
        guard stat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return false }
        guard (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0 else { return false }
        return access(url.path, W_OK) == 0
    }

    // MARK: Fingerprint

    static func statSizeMtime(_ path: String) -> (Int64, Int64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        return (Int64(st.st_size), ns)
    }

    static func fingerprint(files: [URL], labels: [URL], settings: String) -> String {
        var h = FNV()
        h.add(cacheVersion)
        h.add(settings)
        for (img, lab) in zip(files, labels) {
            for p in [lab.path, img.path] {
                h.add(p)
                if let (size, mtime) = statSizeMtime(p) { h.add("\(size):\(mtime)") } else { h.add("-") }
            }
        }
        return h.hex
    }
}
