import Foundation
import YOLODistributed

extension Validator {
    /// Brings every rank's part to rank 0: statistics and predictions.json records in rank order (the order one
    /// process produces, as the ranks hold consecutive batches), confusion counts and times summed.
    func merge(_ stats: inout DetectionStats, confusion: inout ConfusionMatrix, times: inout (pre: Double, inf: Double, post: Double),
               fragments: inout [String]) throws {
        let parts = try communicator.gather(stats.packed(), root: 0)
        let json = try communicator.gather(Data(fragments.joined(separator: "\u{0}").utf8), root: 0)
        var sums = [times.pre, times.inf, times.post] + confusion.matrix.flatMap { $0.map(Double.init) }
        try communicator.allReduceSum(&sums)
        times = (sums[0], sums[1], sums[2])
        guard let parts, let json else { return }
        var merged = DetectionStats(pose: stats.tpPose != nil)
        for (rank, data) in parts.enumerated() {
            guard let s = DetectionStats(packed: data) else {
                throw ValError.distributed("rank \(rank) sent statistics rank 0 cannot read (\(data.count) bytes)")
            }
            merged.append(contentsOf: s)
        }
        stats = merged
        fragments = json.flatMap { d in d.isEmpty ? [] : String(decoding: d, as: UTF8.self).split(separator: "\u{0}").map(String.init) }
        let n = confusion.matrix.count
        let total = (0..<n).map { i in (0..<n).map { j in Int(sums[3 + i * n + j]) } }
        var summed = ConfusionMatrix(nc: confusion.nc, conf: confusion.conf, iouThreshold: confusion.iouThreshold)
        summed.add(counts: total)
        confusion = summed
    }
}
