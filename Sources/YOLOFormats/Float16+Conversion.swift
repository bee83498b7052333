import Foundation

/// Bit-level conversions between IEEE half / bfloat16 and Float32, independent of platform `Float16` support.
public enum HalfConversion {
    /// Converts IEEE 754 binary16 bits to a Float32 (exact; subnormals, infinities and NaN preserved).
    @inline(__always)
    public static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        let bits: UInt32
        if exponent == 0 {
            if mantissa == 0 {
                bits = sign
            } else {
                // Subnormal half: value = mantissa * 2^-24.
                let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
                return sign != 0 ? -magnitude : magnitude
            }
        } else if exponent == 0x1F {
            bits = sign | 0x7F80_0000 | (mantissa << 13)
        } else {
            bits = sign | ((exponent + 112) << 23) | (mantissa << 13)
        }
        return Float(bitPattern: bits)
    }

    /// Converts a Float32 to IEEE binary16 bits with round-to-nearest-even (overflow → ±inf, NaN kept quiet).
    @inline(__always)
    public static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x007F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x0200 | UInt16(mantissa >> 13) : 0)
        }
        var e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }
            mantissa |= 0x0080_0000
            let shift = UInt32(14 - e)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) { half += 1 }
        e = Int(half >> 10)
        if e >= 0x1F { return sign | 0x7C00 }
        return sign | UInt16(half)
    }

    /// Converts bfloat16 bits to Float32 (exact).
    @inline(__always)
    static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Converts a Float32 to bfloat16 bits with round-to-nearest-even (NaN kept quiet).
    @inline(__always)
    static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
