import CTurboJPEG
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One object of a pose label file.
public struct PoseLabel: Sendable, Equatable {
    public var cls: Int
    /// Normalised centre x, centre y, width, height.
    public var box: SIMD4<Float>
    /// K points: normalised x, y and visibility (raw for D = 3; for D = 2: 1, or 0 when x < 0 or y < 0).
    public var keypoints: [SIMD3<Float>]

    public init(cls: Int, box: SIMD4<Float>, keypoints: [SIMD3<Float>]) {
        self.cls = cls
        self.box = box
        self.keypoints = keypoints
    }
}

/// A valid image of a split and its labels.
public struct LabeledImage: Sendable {
    public var url: URL
    /// (height, width) after the EXIF orientation.
    public var shape: (h: Int, w: Int)
    public var labels: [PoseLabel]

    public init(url: URL, shape: (h: Int, w: Int), labels: [PoseLabel]) {
        self.url = url
        self.shape = shape
        self.labels = labels
    }
}

/// The result of scanning a split: the valid images in sorted path order, the per-image counters and the messages
/// (one per corrupt image, duplicate removal, …), in image order.
public struct DatasetScan: Sendable {
    public var images: [LabeledImage]
    /// Images with a label file (including empty and corrupt-label ones).
    public var found: Int
    /// Images without a label file.
    public var missing: Int
    /// Images whose label file has no rows.
    public var empty: Int
    /// Images dropped because the image or its labels failed a check.
    public var corrupt: Int
    /// All image files of the split.
    public var total: Int
    public var messages: [String]
    /// Where the cache was read from or written to (nil if it could not be saved).
    public var cacheURL: URL?
    /// True when the result came from a valid cache without rescanning.
    public var fromCache: Bool

    public init(images: [LabeledImage], found: Int, missing: Int, empty: Int, corrupt: Int, total: Int,
                messages: [String], cacheURL: URL? = nil, fromCache: Bool = false) {
        self.images = images
        self.found = found
        self.missing = missing
        self.empty = empty
        self.corrupt = corrupt
        self.total = total
        self.messages = messages
        self.cacheURL = cacheURL
        self.fromCache = fromCache
    }

    /// "N images, B backgrounds, C corrupt" as in the reference's scan line.
    public var summary: String {
        "\(found) images, \(missing + empty) backgrounds, \(corrupt) corrupt"
    }
}

/// Scan-time failures that stop the run.
public enum DatasetError: Error, CustomStringConvertible, LocalizedError {
    case notFound(String)
    case noImages(String)
    case noValidImages(cache: String, messages: [String])

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p) does not exist"
        case .noImages(let p): return "No images found in \(p). Supported formats are: \(imageSuffixes.sorted().joined(separator: ", "))"
        case .noValidImages(let c, let m): return "No valid images found in \(c).\n  " + m.joined(separator: "\n  ")
        }
    }
    public var errorDescription: String? { description }
}

/// Lower-case image file suffixes a dataset may contain.
public let imageSuffixes: Set<String> = ["avif", "bmp", "dng", "heic", "heif", "jp2", "jpeg", "jpg", "mpo", "png",
                                         "tif", "tiff", "webp"]

/// Finds a split's images, pairs them with label files, checks every label and keeps the result in a cache.
///
/// Pairing: the label of `…/images/…/x.jpg` is `…/labels/…/x.txt` (last `/images/` component replaced, extension
/// replaced by `txt`). The cache is `<labels folder>.swift.cache` beside the labels folder of the first image (JSON, own
/// format); it is reused only when the format version, every image and label file's path, size and mtime (ns), and
/// the scan settings are unchanged. If that folder is not writable, the cache goes to `fallbackCacheDirectory`
/// (default `$XDG_CACHE_HOME/yolo-swift/labels` or `~/.cache/yolo-swift/labels`) with a warning.
public enum LabelScanner {
    public static let cacheVersion = "yolo-swift-labels-1"

    public static func scan(imageDirOrList entries: [String], kptShape: [Int], nc: Int, singleCls: Bool = false,
                            fallbackCacheDirectory: URL? = nil,
                            log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        throws -> DatasetScan {
        precondition(kptShape.count == 2 && kptShape[0] > 0 && (kptShape[1] == 2 || kptShape[1] == 3),
                     "LabelScanner: kpt_shape \(kptShape) must be [K>0, 2|3]")
        let files = try imageFiles(entries)
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

    // MARK: Verification

    struct Verified {
        var found = false, missing = false, empty = false, corrupt = false
        var message: String?
        var record: CacheFile.Record?
    }

    static func verify(image: URL, label: URL, k: Int, d: Int, nc: Int, singleCls: Bool) -> Verified {
        var v = Verified()
        let im = image.path
        func corrupt(_ reason: String) -> Verified {
            v.corrupt = true
            v.record = nil
            v.message = "\(im): ignoring corrupt image/label: \(reason)"
            return v
        }
        // Image.
        let shape: (h: Int, w: Int)
        var jpegWarning: String?
        do {
            let info = try imageInfo(image)
            shape = (info.h, info.w)
            if info.truncatedJPEG {
                jpegWarning = "\(im): WARNING ⚠️ corrupt JPEG (no end-of-image marker FFD9); file left unchanged"
            }
        } catch let e as ImageError {
            switch e {
            case .cannotRead(_, let r), .cannotDecode(_, let r), .unsupported(_, let r), .cannotWrite(_, let r):
                return corrupt(r)
            }
        } catch {
            return corrupt("\(error)")
        }
        if shape.h < 10 || shape.w < 10 { return corrupt("image size (\(shape.h), \(shape.w)) <10 pixels") }

        // Label.
        let cols = 5 + k * d
        var rows: [[Float]] = []
        if FileManager.default.fileExists(atPath: label.path) {
            v.found = true
            guard let data = FileManager.default.contents(atPath: label.path) else {
                return corrupt("cannot read \(label.path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            var tokenRows: [[Substring]] = []
            for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                let toks = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{0B}" || $0 == "\u{0C}" })
                if !toks.isEmpty { tokenRows.append(toks) }
            }
            if !tokenRows.isEmpty {
                let counts = Set(tokenRows.map(\.count))
                if counts.count > 1 {
                    return corrupt("setting an array element with a sequence. The requested array has an inhomogeneous "
                                   + "shape after 1 dimensions. The detected shape was (\(tokenRows.count),) + "
                                   + "inhomogeneous part.")
                }
                for toks in tokenRows {
                    var row: [Float] = []
                    row.reserveCapacity(toks.count)
                    for t in toks {
                        // float32 from the decimal text via float64, as numpy does.
                        guard let x = Double(t) else { return corrupt("could not convert string to float: '\(t)'") }
                        row.append(Float(x))
                    }
                    rows.append(row)
                }
                if counts.first! != cols { return corrupt("labels require \(cols) columns each") }
                // Keypoint coordinates must be ≤ 1.01.
                var oob: [Float] = []
                for r in rows {
                    for j in 0..<k {
                        for c in 0..<2 where r[5 + j * d + c] > Float(1.01) { oob.append(r[5 + j * d + c]) }
                    }
                }
                if !oob.isEmpty { return corrupt("non-normalized or out of bounds coordinates \(numpyArray(oob))") }
                // Negatives: tolerated only in [-0.01, 0) with all widths and heights ≥ 0.
                let minAll = rows.lazy.flatMap { $0 }.min()!
                if minAll < 0 {
                    let whOK = rows.allSatisfy { $0[3] >= 0 && $0[4] >= 0 }
                    if !(minAll >= Float(-0.01) && whOK) {
                        return corrupt("negative label values \(numpyArray(rows.flatMap { $0 }.filter { $0 < 0 }))")
                    }
                }
                let nonInt = rows.map { $0[0] }.filter { $0.rounded(.towardZero) != $0 }
                if !nonInt.isEmpty { return corrupt("non-integer class labels \(numpyArray(nonInt))") }
                if !singleCls {
                    let maxCls = rows.map { $0[0] }.max()!
                    if maxCls >= Float(nc) {
                        return corrupt("Label class \(Int(maxCls)) exceeds dataset class count \(nc). "
                                       + "Possible class labels are 0-\(nc - 1)")
                    }
                }
                // Duplicates: unique rows in lexicographic order.
                var unique: [[Float]] = []
                for r in rows.sorted(by: { $0.lexicographicallyPrecedes($1) }) where unique.last != r { unique.append(r) }
                if unique.count < rows.count {
                    v.message = "\(im): \(rows.count - unique.count) duplicate labels removed"
                    rows = unique
                }
            } else {
                v.empty = true
            }
        } else {
            v.missing = true
        }
        if let w = jpegWarning { v.message = v.message.map { w + "\n" + $0 } ?? w }
        var rec = CacheFile.Record(file: im, h: shape.h, w: shape.w, cls: [], boxes: [], keypoints: [])
        for r in rows {
            rec.cls.append(r[0])
            rec.boxes.append(contentsOf: r[1..<5])
            for j in 0..<k {
                let x = r[5 + j * d], y = r[5 + j * d + 1]
                let vis: Float = d == 3 ? r[5 + j * d + 2] : ((x < 0 || y < 0) ? 0 : 1)
                rec.keypoints.append(contentsOf: [x, y, vis])
            }
        }
        v.record = rec
        return v
    }

    /// Size after EXIF orientation. JPEGs are checked from their header (and EXIF) only; other formats are decoded.
    static func imageInfo(_ url: URL) throws -> (h: Int, w: Int, truncatedJPEG: Bool) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError.cannotRead(name: url.path, reason: (error as NSError).localizedDescription)
        }
        return try data.withUnsafeBytes { raw -> (h: Int, w: Int, truncatedJPEG: Bool) in
            let b = raw.bindMemory(to: UInt8.self)
            if ImageIO.Format.sniff(b) == .jpeg {
                guard let handle = tjInitDecompress() else {
                    throw ImageError.cannotDecode(name: url.path, reason: "tjInitDecompress failed")
                }
                defer { tjDestroy(handle) }
                var w: Int32 = 0, h: Int32 = 0, ss: Int32 = 0, cs: Int32 = 0
                if tjDecompressHeader3(handle, b.baseAddress, UInt(b.count), &w, &h, &ss, &cs) != 0 {
                    throw ImageError.cannotDecode(name: url.path, reason: JPEGCodec.message(handle))
                }
                let o = EXIF.orientation(jpeg: b)
                let swapped = (5...8).contains(o)
                let truncated = b.count < 2 || b[b.count - 2] != 0xFF || b[b.count - 1] != 0xD9
                return swapped ? (Int(w), Int(h), truncated) : (Int(h), Int(w), truncated)
            }
            guard ImageIO.Format.sniff(b) != nil else {
                throw ImageError.cannotDecode(name: url.path, reason: "cannot identify image file '\(url.path)'")
            }
            let img = try ImageIO.decode(data, name: url.path)
            return (img.height, img.width, false)
        }
    }

    /// numpy's default printing of a 1-D float32 array for the values that occur in label messages (positional
    /// notation, shortest round-trip digits, integer parts right-aligned, fractions left-aligned).
    static func numpyArray(_ values: [Float]) -> String {
        let parts: [(String, String)] = values.map { v in
            var s = "\(v)"
            if s.contains("e") { s = String(format: "%.8f", Double(v)); while s.hasSuffix("0") { s.removeLast() } }
            let p = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let frac = p.count > 1 ? String(p[1]) : ""
            return (String(p[0]), frac == "0" ? "" : frac)
        }
        let il = parts.map(\.0.count).max() ?? 0, fl = parts.map(\.1.count).max() ?? 0
        let items = parts.map { (i, f) in
            String(repeating: " ", count: il - i.count) + i + "." + f + String(repeating: " ", count: fl - f.count)
        }
        return "[" + items.joined(separator: " ") + "]"
    }

    // MARK: Cache file

    struct CacheFile: Codable {
        struct Record: Codable {
            var file: String
            var h: Int
            var w: Int
            var cls: [Float]
            var boxes: [Float]
            var keypoints: [Float]
        }
        var version: String
        var hash: String
        var found, missing, empty, corrupt, total: Int
        var messages: [String]
        var labels: [Record]

        func toScan(kptShape: [Int], singleCls: Bool) -> DatasetScan {
            let k = kptShape[0]
            let images = labels.map { r -> LabeledImage in
                var objs: [PoseLabel] = []
                objs.reserveCapacity(r.cls.count)
                for i in 0..<r.cls.count {
                    let b = SIMD4<Float>(r.boxes[4 * i], r.boxes[4 * i + 1], r.boxes[4 * i + 2], r.boxes[4 * i + 3])
                    var kp: [SIMD3<Float>] = []
                    kp.reserveCapacity(k)
                    for j in 0..<k {
                        let o = (i * k + j) * 3
                        kp.append(SIMD3(r.keypoints[o], r.keypoints[o + 1], r.keypoints[o + 2]))
                    }
                    objs.append(PoseLabel(cls: singleCls ? 0 : Int(r.cls[i]), box: b, keypoints: kp))
                }
                return LabeledImage(url: URL(fileURLWithPath: r.file), shape: (r.h, r.w), labels: objs)
            }
            return DatasetScan(images: images, found: found, missing: missing, empty: empty, corrupt: corrupt,
                               total: total, messages: messages)
        }
    }

    static func loadCache(_ url: URL, hash: String) -> CacheFile? {
        guard let data = FileManager.default.contents(atPath: url.path),
              let c = try? JSONDecoder().decode(CacheFile.self, from: data),
              c.version == cacheVersion, c.hash == hash else { return nil }
        return c
    }

    static func save(_ cache: CacheFile, to url: URL) -> Bool {
        guard let data = try? JSONEncoder().encode(cache) else { return false }
        return (try? data.write(to: url, options: .atomic)) != nil
    }
}

/// FNV-1a 64.
struct FNV {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: [UInt8]) {
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    }
    mutating func add(_ s: String) { add(Array(s.utf8)); add([0]) }
    var hex: String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

func fnv1a64Hex(_ bytes: [UInt8]) -> String {
    var f = FNV()
    f.add(bytes)
    return f.hex
}
