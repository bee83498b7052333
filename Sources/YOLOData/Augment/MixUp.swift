import CKernels
import Foundation

/// The reference's MixUp: with probability p (`uniform(0, 1) ≤ p`) a second dataset image (index
/// `randint(0, N − 1)`, through the same mosaic and perspective steps) is blended in with ratio r ~ Beta(32, 32):
/// uint8(img·r + img₂·(1 − r)); the objects of both are kept.
public struct MixUp: Sendable {
    public var probability: Double

    public init(probability: Double) {
        precondition((0...1).contains(probability), "MixUp: probability \(probability) outside [0, 1]")
        self.probability = probability
    }

    public func applies<R: AugmentRandom>(_ random: inout R) -> Bool { random.uniform(0, 1) <= probability }

    /// The blend ratio (NumPy stream).
    public func drawRatio<R: AugmentRandom>(_ random: inout R) -> Double { random.npBeta(32, 32) }

    /// The labels: the sample's objects followed by the other's.
    public func combine(_ a: SampleGeometry, _ b: SampleGeometry) -> SampleGeometry {
        var out = a
        out.instances = a.instances.concatenated(b.instances)
        return out
    }

    /// uint8(a·r + b·(1 − r)) in float64, truncated.
    public static func blend(_ a: Image, _ b: Image, ratio: Double) -> Image {
        precondition(a.width == b.width && a.height == b.height, "MixUp: images of different sizes")
        var out = [UInt8](repeating: 0, count: a.pixels.count)
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    yk_blend_u8(pa.baseAddress!, pb.baseAddress!, ratio, po.baseAddress!, Int64(pa.count))
                }
            }
        }
        return Image(width: a.width, height: a.height, order: a.order, pixels: out)
    }
}
