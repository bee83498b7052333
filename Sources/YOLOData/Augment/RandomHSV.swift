import CKernels
import Foundation

/// The reference's RandomHSV: gains r = U(−1, 1)³ ⊙ (hgain, sgain, vgain) (NumPy stream), 256-entry tables in
/// float64 — hue (x + 180·r₀) mod 180, saturation clip(x·(1 + r₁), 0, 255) with entry 0 kept 0, value
/// clip(x·(1 + r₂), 0, 255), each truncated to uint8 — applied in OpenCV's 8-bit HSV space (H in [0, 180)) and
/// converted back to BGR, bit-exact with OpenCV 5.0 (see `augment_color.c`). Nothing is drawn when all gains are 0.
public struct RandomHSV: Sendable {
    public var hgain: Double
    public var sgain: Double
    public var vgain: Double

    public init(hgain: Double = 0.015, sgain: Double = 0.7, vgain: Double = 0.4) {
        self.hgain = hgain
        self.sgain = sgain
        self.vgain = vgain
    }

    public var isActive: Bool { hgain != 0 || sgain != 0 || vgain != 0 }

    /// The three gains, or nil when inactive (no draw).
    public func draw<R: AugmentRandom>(_ random: inout R) -> SIMD3<Double>? {
        guard isActive else { return nil }
        let u0 = random.npUniform(-1, 1), u1 = random.npUniform(-1, 1), u2 = random.npUniform(-1, 1)
        return SIMD3(u0 * hgain, u1 * sgain, u2 * vgain)
    }

    /// The 768-byte table (H, S, V) for gains `r`.
    public static func lut(gains r: SIMD3<Double>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 768)
        let shift = r.x * 180
        for i in 0..<256 {
            let x = Double(i)
            var h = fmod(x + shift, 180)
            if h != 0 && h < 0 { h += 180 }
            out[i] = UInt8(truncatingIfNeeded: Int(h))
            out[256 + i] = UInt8(Int(min(max(x * (r.y + 1), 0), 255)))
            out[512 + i] = UInt8(Int(min(max(x * (r.z + 1), 0), 255)))
        }
        out[256] = 0
        return out
    }

    /// Applies a table from `lut(gains:)` to a BGR image in place.
    public static func apply(lut: [UInt8], to image: inout Image) {
        precondition(lut.count == 768, "RandomHSV: table of 768 bytes")
        precondition(image.order == .bgr, "RandomHSV: BGR image expected")
        guard image.width > 0, image.height > 0 else { return }
        let w = Int32(image.width), h = Int32(image.height)
        image.pixels.withUnsafeMutableBufferPointer { p in
            lut.withUnsafeBufferPointer { t in yk_hsv_lut_u8c3(p.baseAddress!, h, w, t.baseAddress!) }
        }
    }
}
