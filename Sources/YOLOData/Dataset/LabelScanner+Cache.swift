import Foundation

extension LabelScanner {
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

        /// Whether every record has the sizes and value ranges a scan writes; a cache whose hash still matches but whose
        /// contents were edited is scanned again instead of trusted.
        func isConsistent(kptCount k: Int, nc: Int, singleCls: Bool) -> Bool {
            guard [found, missing, empty, corrupt, total].allSatisfy({ $0 >= 0 }) else { return false }
            return labels.allSatisfy { r in
                let n = r.cls.count
                return r.h > 0 && r.w > 0 && r.boxes.count == 4 * n && r.keypoints.count == 3 * k * n
                    && r.cls.allSatisfy { $0.isFinite && $0 >= 0 && $0 == $0.rounded() && (singleCls || $0 < Float(nc)) }
                    && r.boxes.allSatisfy(\.isFinite) && r.keypoints.allSatisfy(\.isFinite)
            }
        }

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
