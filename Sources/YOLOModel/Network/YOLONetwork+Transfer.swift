import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Copies every checkpoint tensor whose key and shape match a tensor of this network (the reference's
    /// `intersect_dicts` + non-strict load) and returns how many were transferred and how many this network has.
    @discardableResult
    public func transfer(from stored: [(key: String, tensor: StoredTensor)]) -> (transferred: Int, total: Int) {
        let mine = Dictionary(stateDict().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        var n = 0
        for (key, t) in stored {
            guard let dst = mine[key], dst.shape == t.shape || (dst.count == 1 && t.count == 1 && dst.rank == 0) else { continue }
            let v = t.floats()
            guard v.count == dst.count else { continue }
            v.withUnsafeBufferPointer { dst.assign($0) }
            n += 1
        }
        return (n, mine.count)
    }
}
