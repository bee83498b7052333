import Foundation

/// The reference's buffer of recently loaded training images that Mosaic draws its other tiles from, kept as
/// dataset indices (pixels are cached separately; the draws depend only on these indices).
///
/// Loading an image that is not in the buffer appends it; once the buffer holds more than one image and at least
/// `capacity` = min(N, 8·batch, 1000), the oldest one leaves. With `cache=ram` there is no buffer (`enabled` false)
/// and mosaic tiles are drawn from the whole dataset.
public struct MosaicBuffer: Sendable {
    public let capacity: Int
    public let enabled: Bool
    public private(set) var indices: [Int] = []
    private var member: Set<Int> = []

    public init(datasetCount: Int, batchSize: Int, enabled: Bool) {
        capacity = min(datasetCount, batchSize * 8, 1000)
        self.enabled = enabled
    }

    /// Records that dataset image `i` was loaded.
    public mutating func load(_ i: Int) {
        guard enabled, !member.contains(i) else { return }
        indices.append(i)
        member.insert(i)
        if indices.count > 1 && indices.count >= capacity {
            member.remove(indices.removeFirst())
        }
    }

    /// Forgets an image that can no longer be loaded.
    public mutating func remove(_ i: Int) {
        guard member.remove(i) != nil else { return }
        indices.removeAll { $0 == i }
    }
}
