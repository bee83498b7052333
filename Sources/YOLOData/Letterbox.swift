import Foundation

/// The outcome of `letterbox`: the padded image and the mapping back to the source
/// (source = (letterboxed − pad) / ratio).
public struct LetterboxResult: @unchecked Sendable {
    public let image: Image
    /// Scale applied to the source (new size = source size × ratio, rounded).
    public let ratio: Double
    /// Rows above and columns left of the resized image.
    public let pad: (top: Int, left: Int)
    /// Size of the resized image inside the padding.
    public let newSize: (height: Int, width: Int)

    public init(image: Image, ratio: Double, pad: (top: Int, left: Int), newSize: (height: Int, width: Int)) {
        self.image = image
        self.ratio = ratio
        self.pad = pad
        self.newSize = newSize
    }
}

/// Python's `round` for doubles: nearest, ties to even.
@inline(__always) func pyRound(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

/// Resizes keeping the aspect ratio and pads to `size` (or, with `auto`, only up to the next multiple of `stride`),
/// reproducing Ultralytics' `LetterBox` with `cv2.INTER_LINEAR` bit for bit.
///
/// r = min(H/h, W/w) (capped at 1 without `scaleUp`); new size = max(round(w·r), 1) × max(round(h·r), 1);
/// padding d = target − new (mod `stride` with `auto`); with `center`, top = round(d/2 − 0.1) and
/// bottom = round(d/2 + 0.1) (same for left/right), otherwise all of it goes to the bottom/right.
public func letterbox(_ image: Image, to size: (height: Int, width: Int), auto: Bool, stride: Int = 32,
                      scaleUp: Bool = true, center: Bool = true, fill: UInt8 = 114) -> LetterboxResult {
    precondition(size.height > 0 && size.width > 0, "letterbox: target \(size) must be positive")
    precondition(image.width > 0 && image.height > 0, "letterbox: empty image")
    let h0 = image.height, w0 = image.width
    var r = min(Double(size.height) / Double(h0), Double(size.width) / Double(w0))
    if !scaleUp { r = min(r, 1.0) }
    let newW = max(pyRound(Double(w0) * r), 1), newH = max(pyRound(Double(h0) * r), 1)
    var dw = size.width - newW, dh = size.height - newH
    if auto && stride > 0 {
        dw = ((dw % stride) + stride) % stride
        dh = ((dh % stride) + stride) % stride
    }
    let top: Int, bottom: Int, left: Int, right: Int
    if center {
        let hdw = Double(dw) / 2, hdh = Double(dh) / 2
        top = pyRound(hdh - 0.1); bottom = pyRound(hdh + 0.1)
        left = pyRound(hdw - 0.1); right = pyRound(hdw + 0.1)
    } else {
        top = 0; left = 0; bottom = dh; right = dw
    }
    let outW = newW + left + right, outH = newH + top + bottom
    var pixels = [UInt8](repeating: fill, count: outW * outH * 3)
    pixels.withUnsafeMutableBufferPointer { out in
        image.pixels.withUnsafeBufferPointer { src in
            let dst = out.baseAddress! + (top * outW + left) * 3
            if newW == w0 && newH == h0 {
                for y in 0..<h0 {
                    (dst + y * outW * 3).update(from: src.baseAddress! + y * w0 * 3, count: w0 * 3)
                }
            } else {
                resizeBilinearBGR(src.baseAddress!, width: w0, height: h0,
                                  into: dst, width: newW, height: newH, dstRowStride: outW * 3)
            }
        }
    }
    return LetterboxResult(image: Image(width: outW, height: outH, order: image.order, pixels: pixels),
                           ratio: r, pad: (top, left), newSize: (newH, newW))
}

extension Image {
    /// Bilinear resize, identical to `cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)` on uint8.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0 && width > 0 && height > 0, "resized: empty size")
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                resizeBilinearBGR(src.baseAddress!, width: width, height: height,
                                  into: dst.baseAddress!, width: newWidth, height: newHeight,
                                  dstRowStride: newWidth * 3)
            }
        }
        return Image(width: newWidth, height: newHeight, order: order, pixels: out)
    }
}

/// Source index and 11-bit fixed-point weights for one output coordinate.
///
/// f = Float((d + 0.5)·(src/dst) − 0.5); s = floor(f); f −= s. Horizontally an out-of-range s is clamped with f = 0
/// (s < 0 → 0; s ≥ n−1 → n−1). Vertically f is kept and only the row indices are clamped, so a border row gets two
/// weights on the same source row. w0 = round_half_even((1 − f)·2048), w1 = round_half_even(f·2048).
@inline(__always)
private func linearTaps(_ d: Int, scale: Double, count n: Int, clampWeights: Bool)
    -> (s0: Int, s1: Int, w0: Int32, w1: Int32) {
    var f = Float((Double(d) + 0.5) * scale - 0.5)
    var s = Int(f.rounded(.down))
    f -= Float(s)
    if clampWeights {
        if s < 0 { s = 0; f = 0 }
        if s >= n - 1 { s = n - 1; f = 0 }
    }
    let w0 = Int32(((1 - f) * 2048).rounded(.toNearestOrEven))
    let w1 = Int32((f * 2048).rounded(.toNearestOrEven))
    let s0 = min(max(s, 0), n - 1), s1 = min(max(s + 1, 0), n - 1)
    return (s0, s1, w0, w1)
}

/// OpenCV-exact INTER_LINEAR resize of 3-channel uint8 pixels.
///
/// Horizontal pass per source row into 32-bit sums: D = S[x0]·a0 + S[x1]·a1 (a0 + a1 = 2048).
/// Vertical pass as OpenCV's SIMD path computes it (16-bit multiply-high on sums pre-shifted by 4):
/// out = (((b0·(D0 >> 4)) >> 16) + ((b1·(D1 >> 4)) >> 16) + 2) >> 2, saturated to 0…255.
func resizeBilinearBGR(_ src: UnsafePointer<UInt8>, width sw: Int, height sh: Int,
                       into dst: UnsafeMutablePointer<UInt8>, width dw: Int, height dh: Int, dstRowStride: Int) {
    let scaleX = 1.0 / (Double(dw) / Double(sw))
    let scaleY = 1.0 / (Double(dh) / Double(sh))
    let rowLen = dw * 3

    // Per output column: byte offsets of the two source pixels and their weights.
    let xo0 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    let xo1 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    let xa0 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    let xa1 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    defer { xo0.deallocate(); xo1.deallocate(); xa0.deallocate(); xa1.deallocate() }
    for x in 0..<dw {
        let t = linearTaps(x, scale: scaleX, count: sw, clampWeights: true)
        xo0[x] = Int32(t.s0 * 3); xo1[x] = Int32(t.s1 * 3); xa0[x] = t.w0; xa1[x] = t.w1
    }

    // Columns before `simdEnd` read both source pixels as 4-byte loads (the 4th byte belongs to the next pixel of
    // the same row, so it stays inside the row); the last columns, which touch the row's final pixel, are scalar.
    let lastPixel = Int32((sw - 1) * 3)
    var simdEnd = dw
    while simdEnd > 0 && xo1[simdEnd - 1] >= lastPixel { simdEnd -= 1 }
    // Unoptimized builds run Swift's SIMD types hundreds of times slower than scalar code; use the (identical)
    // scalar arithmetic there. Release builds take the vector paths.
    #if DEBUG
    simdEnd = 0
    let vectorRows = false
    #else
    let vectorRows = true
    #endif

    // Two cached horizontal rows (one spare element for the overlapping 4-lane stores).
    let rowA = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen + 1)
    let rowB = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen + 1)
    defer { rowA.deallocate(); rowB.deallocate() }
    var rows = (rowA, rowB)
    var cached = (-1, -1)

    @inline(__always) func horizontal(_ sy: Int, into d: UnsafeMutablePointer<Int32>) {
        let s = src + sy * sw * 3
        let raw = UnsafeRawPointer(s)
        let out = UnsafeMutableRawPointer(d)
        for x in 0..<simdEnd {
            // Operands visibly fit in 16 bits, so the multiplies can use 16-bit SIMD instructions.
            let b0 = SIMD4<Int16>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: Int(xo0[x]), as: SIMD4<UInt8>.self))
            let b1 = SIMD4<Int16>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: Int(xo1[x]), as: SIMD4<UInt8>.self))
            let w0 = SIMD4<Int32>(truncatingIfNeeded: SIMD4<Int16>(repeating: Int16(truncatingIfNeeded: xa0[x])))
            let w1 = SIMD4<Int32>(truncatingIfNeeded: SIMD4<Int16>(repeating: Int16(truncatingIfNeeded: xa1[x])))
            let r = SIMD4<Int32>(truncatingIfNeeded: b0) &* w0 &+ SIMD4<Int32>(truncatingIfNeeded: b1) &* w1
            out.storeBytes(of: r, toByteOffset: 12 * x, as: SIMD4<Int32>.self)
        }
        for x in simdEnd..<dw {
            let p0 = s + Int(xo0[x]), p1 = s + Int(xo1[x])
            let a0 = xa0[x], a1 = xa1[x]
            let o = d + 3 * x
            o[0] = Int32(p0[0]) &* a0 &+ Int32(p1[0]) &* a1
            o[1] = Int32(p0[1]) &* a0 &+ Int32(p1[1]) &* a1
            o[2] = Int32(p0[2]) &* a0 &+ Int32(p1[2]) &* a1
        }
    }

    for y in 0..<dh {
        let t = linearTaps(y, scale: scaleY, count: sh, clampWeights: false)
        // Bring rows t.s0 and t.s1 into the cache, reusing what is there.
        if cached.0 != t.s0 {
            if cached.1 == t.s0 {
                rows = (rows.1, rows.0); cached = (cached.1, cached.0)
            } else {
                horizontal(t.s0, into: rows.0); cached.0 = t.s0
            }
        }
        if cached.1 != t.s1 {
            if t.s1 == t.s0 {
                // Same row twice (clamped border): share it.
                rows.1.update(from: rows.0, count: rowLen)
            } else {
                horizontal(t.s1, into: rows.1)
            }
            cached.1 = t.s1
        }
        let d0 = rows.0, d1 = rows.1
        let b0 = t.w0, b1 = t.w1
        let o = dst + y * dstRowStride
        // Every multiply operand is a sign-extended Int16, so the compiler can narrow the multiplies.
        let vb0 = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: b0)))
        let vb1 = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: b1)))
        let two = SIMD8<Int16>(repeating: 2), hi = SIMD8<Int16>(repeating: 255)
        var i = 0
        while vectorRows && i + 8 <= rowLen {
            let s0 = SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(d0 + i).loadUnaligned(as: SIMD8<Int32>.self) &>> 4)
            let s1 = SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(d1 + i).loadUnaligned(as: SIMD8<Int32>.self) &>> 4)
            let m0 = SIMD8<Int16>(truncatingIfNeeded: (SIMD8<Int32>(truncatingIfNeeded: s0) &* vb0) &>> 16)
            let m1 = SIMD8<Int16>(truncatingIfNeeded: (SIMD8<Int32>(truncatingIfNeeded: s1) &* vb1) &>> 16)
            var v = (m0 &+ m1 &+ two) &>> 2
            v = v.clamped(lowerBound: .zero, upperBound: hi)
            UnsafeMutableRawPointer(o + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: v), as: SIMD8<UInt8>.self)
            i += 8
        }
        while i < rowLen {
            let v = (((b0 &* (d0[i] >> 4)) >> 16) &+ ((b1 &* (d1[i] >> 4)) >> 16) &+ 2) >> 2
            o[i] = UInt8(truncatingIfNeeded: min(max(v, 0), 255))
            i += 1
        }
    }
}
