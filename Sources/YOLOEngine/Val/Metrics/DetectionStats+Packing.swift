import Foundation

extension DetectionStats {
    /// A compact binary form (little-endian: six Int64 counts, TP bytes, conf floats, class Int32s) that ranks send
    /// to rank 0 to be merged.
    public func packed() -> Data {
        let nT = tp.first?.count ?? 0
        var out = Data()
        func int64(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { out.append(contentsOf: $0) } }
        func int32s(_ v: [Int]) { for x in v { withUnsafeBytes(of: Int32(truncatingIfNeeded: x).littleEndian) { out.append(contentsOf: $0) } } }
        for v in [conf.count, nT, tpPose == nil ? 0 : 1, targetCls.count, targetImg.count, images] { int64(v) }
        for row in tp { out.append(contentsOf: row.map { $0 ? 1 : 0 }) }
        for row in tpPose ?? [] { out.append(contentsOf: row.map { $0 ? 1 : 0 }) }
        for c in conf { withUnsafeBytes(of: c.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        int32s(predCls)
        int32s(targetCls)
        int32s(targetImg)
        return out
    }

    /// Reads `packed()`; nil when the bytes are not a whole record.
    public init?(packed data: Data) {
        let bytes = [UInt8](data)
        var at = 0
        func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return bytes[at..<at + n]
        }
        func int64() -> Int? {
            guard let s = take(8) else { return nil }
            return Int(Int64(littleEndian: s.enumerated().reduce(0) { $0 | Int64($1.element) << (8 * $1.offset) }))
        }
        func int32s(_ n: Int) -> [Int]? {
            guard let s = take(4 * n) else { return nil }
            let a = Array(s)
            return (0..<n).map { i in Int(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(a[4 * i + $1]) << (8 * $1) })) }
        }
        guard let n = int64(), let nT = int64(), let pose = int64(), let nTarget = int64(), let nImg = int64(),
              let images = int64(), n >= 0, nT >= 0, nTarget >= 0, nImg >= 0,
              n.multipliedReportingOverflow(by: nT).overflow == false else { return nil }
        func rows() -> [[Bool]]? {
            guard let s = take(n * nT) else { return nil }
            let a = Array(s)
            return (0..<n).map { i in (0..<nT).map { a[i * nT + $0] != 0 } }
        }
        guard let tp = rows() else { return nil }
        var tpPose: [[Bool]]?
        if pose != 0 { guard let r = rows() else { return nil }; tpPose = r }
        guard let c = take(4 * n) else { return nil }
        let ca = Array(c)
        let conf = (0..<n).map { i in Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(ca[4 * i + $1]) << (8 * $1) }) }
        guard let predCls = int32s(n), let targetCls = int32s(nTarget), let targetImg = int32s(nImg), at == bytes.count
        else { return nil }
        self.init(tp: tp, tpPose: tpPose, conf: conf, predCls: predCls, targetCls: targetCls, targetImg: targetImg,
                  images: images)
    }

    /// Appends another set of statistics (images after this one's).
    public mutating func append(contentsOf other: DetectionStats) {
        tp += other.tp
        if tpPose != nil { tpPose! += other.tpPose ?? [] }
        conf += other.conf
        predCls += other.predCls
        targetCls += other.targetCls
        targetImg += other.targetImg
        images += other.images
    }
}
