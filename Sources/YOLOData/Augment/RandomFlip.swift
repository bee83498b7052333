import CKernels
import Foundation

/// Errors in the augmentation settings.
public enum AugmentError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let m): return m }
    }
    public var errorDescription: String? { description }
}

/// The reference's RandomFlip: with probability p (`random() < p`) mirrors the image and, in xywh, sets the box centre
/// and every keypoint to W − x (vertical: H − y), then reorders keypoints with `flipIdx` (new[k] = old[flipIdx[k]]),
/// visibility travelling with its point. Boxes leave in xywh whether or not the flip happened, as in the reference.
public struct RandomFlip: Sendable {
    public var probability: Double
    public var horizontal: Bool
    public var flipIdx: [Int]?

    /// Throws when keypoints are flipped (p > 0 and K > 0) without a `flipIdx` of K entries in 0..<K.
    public init(probability: Double, horizontal: Bool, flipIdx: [Int]?, keypointCount: Int) throws {
        guard (0...1).contains(probability) else {
            throw AugmentError.invalid("\(horizontal ? "fliplr" : "flipud")=\(probability) must be in [0, 1]")
        }
        if probability > 0 && keypointCount > 0 {
            guard let idx = flipIdx else {
                throw AugmentError.invalid("\(horizontal ? "fliplr" : "flipud")=\(probability) needs the data YAML's 'flip_idx' to flip keypoints; add flip_idx or set \(horizontal ? "fliplr" : "flipud")=0")
            }
            guard idx.count == keypointCount, idx.allSatisfy({ (0..<keypointCount).contains($0) }) else {
                throw AugmentError.invalid("flip_idx=\(idx) must have kpt_shape[0] = \(keypointCount) entries in 0..<\(keypointCount)")
            }
        }
        self.probability = probability
        self.horizontal = horizontal
        self.flipIdx = flipIdx
    }

    /// The flip decision.
    public func draw<R: AugmentRandom>(_ random: inout R) -> Bool { random.random() < probability }

    /// The labels after the flip decision (boxes always converted to xywh).
    public func apply(_ g: SampleGeometry, flip: Bool) -> SampleGeometry {
        var out = g
        var inst = g.instances.converted(to: .xywh)
        if flip {
            if horizontal {
                let W = Float(g.width)
                for i in inst.boxes.indices { inst.boxes[i].x = W - inst.boxes[i].x }
                for i in inst.keypoints.indices { inst.keypoints[i].x = W - inst.keypoints[i].x }
            } else {
                let H = Float(g.height)
                for i in inst.boxes.indices { inst.boxes[i].y = H - inst.boxes[i].y }
                for i in inst.keypoints.indices { inst.keypoints[i].y = H - inst.keypoints[i].y }
            }
            if let idx = flipIdx, inst.keypointCount > 0 {
                let k = inst.keypointCount
                var permuted = inst.keypoints
                for o in 0..<inst.count {
                    for j in 0..<k { permuted[o * k + j] = inst.keypoints[o * k + idx[j]] }
                }
                inst.keypoints = permuted
            }
        }
        out.instances = inst
        return out
    }

    /// Mirrors an image in place.
    public static func flip(_ image: inout Image, horizontal: Bool) {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return }
        image.pixels.withUnsafeMutableBufferPointer { p in
            if horizontal {
                yk_flip_horizontal_u8c3(p.baseAddress!, Int32(h), Int32(w))
            } else {
                let row = w * 3
                var tmp = [UInt8](repeating: 0, count: row)
                tmp.withUnsafeMutableBufferPointer { t in
                    for y in 0..<(h / 2) {
                        let a = p.baseAddress! + y * row, b = p.baseAddress! + (h - 1 - y) * row
                        t.baseAddress!.update(from: a, count: row)
                        a.update(from: b, count: row)
                        b.update(from: t.baseAddress!, count: row)
                    }
                }
            }
        }
    }
}
