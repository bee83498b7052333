import Foundation

/// Complete IoU of two xyxy boxes (spec train-and-val §4.6), with eps = 1e-7 added to the heights only, to the
/// union and to the enclosing diagonal. The aspect-ratio weight α is a constant (no gradient flows through it).
///
/// `value` evaluates in Float, in the reference's operation order; `gradient` returns ∂CIoU/∂(first box) in Double,
/// following torch's sub-gradient conventions (clamp at 0 passes the gradient; ties of min/max split it evenly).
enum CIoU {
    static let eps: Float = 1e-7
    /// 4/π², as the Float the reference multiplies by.
    static let aspectScale = Float(4 / (Double.pi * Double.pi))

    /// CIoU(a, b) for boxes (x1, y1, x2, y2). `alpha` replaces the computed aspect weight (gradient checks hold it
    /// fixed, as the backward rule does).
    static func value(_ a: SIMD4<Float>, _ b: SIMD4<Float>, alpha fixedAlpha: Float? = nil) -> Float {
        let w1 = a.z - a.x, h1 = a.w - a.y + eps
        let w2 = b.z - b.x, h2 = b.w - b.y + eps
        let iw = max(min(a.z, b.z) - max(a.x, b.x), 0)
        let ih = max(min(a.w, b.w) - max(a.y, b.y), 0)
        let inter = iw * ih
        let union = w1 * h1 + w2 * h2 - inter + eps
        let iou = inter / union
        let cw = max(a.z, b.z) - min(a.x, b.x)
        let ch = max(a.w, b.w) - min(a.y, b.y)
        let c2 = cw * cw + ch * ch + eps
        let sx = b.x + b.z - a.x - a.z, sy = b.y + b.w - a.y - a.w
        let rho2 = (sx * sx + sy * sy) / 4
        let u = atan(w2 / h2) - atan(w1 / h1)
        let v = aspectScale * (u * u)
        let alpha = fixedAlpha ?? v / (1 - iou + v + eps)
        return iou - (rho2 / c2 + v * alpha)
    }

    /// d min(p, q)/dp under torch's rule: 1 if p < q, ½ on a tie, else 0 (and symmetrically for max).
    @inline(__always) private static func minShare(_ p: Float, _ q: Float) -> Double { p < q ? 1 : (p == q ? 0.5 : 0) }
    @inline(__always) private static func maxShare(_ p: Float, _ q: Float) -> Double { p > q ? 1 : (p == q ? 0.5 : 0) }

    /// The aspect weight α = v / (v − IoU + 1 + eps) of the pair.
    static func alpha(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> Float {
        let w1 = a.z - a.x, h1 = a.w - a.y + eps
        let w2 = b.z - b.x, h2 = b.w - b.y + eps
        let inter = max(min(a.z, b.z) - max(a.x, b.x), 0) * max(min(a.w, b.w) - max(a.y, b.y), 0)
        let iou = inter / (w1 * h1 + w2 * h2 - inter + eps)
        let u = atan(w2 / h2) - atan(w1 / h1)
        let v = aspectScale * (u * u)
        return v / (1 - iou + v + eps)
    }

    /// ∂CIoU(a, b)/∂a as (x1, y1, x2, y2), with α held constant.
    static func gradient(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Double> {
        let e = Double(eps)
        let (x1, y1, x2, y2) = (Double(a.x), Double(a.y), Double(a.z), Double(a.w))
        let (X1, Y1, X2, Y2) = (Double(b.x), Double(b.y), Double(b.z), Double(b.w))
        let w1 = x2 - x1, h1 = y2 - y1 + e
        let w2 = X2 - X1, h2 = Y2 - Y1 + e
        let iwRaw = min(x2, X2) - max(x1, X1), ihRaw = min(y2, Y2) - max(y1, Y1)
        let iw = max(iwRaw, 0), ih = max(ihRaw, 0)
        let inter = iw * ih
        let union = w1 * h1 + w2 * h2 - inter + e
        let iou = inter / union
        let cw = max(x2, X2) - min(x1, X1), ch = max(y2, Y2) - min(y1, Y1)
        let c2 = cw * cw + ch * ch + e
        let sx = X1 + X2 - x1 - x2, sy = Y1 + Y2 - y1 - y2
        let rho2 = (sx * sx + sy * sy) / 4
        let k = Double(aspectScale)
        let r = w1 / h1
        let u = atan(w2 / h2) - atan(r)
        let v = k * u * u
        let alpha = v / (1 - iou + v + e)

        // Intersection sides.
        let passW: Double = iwRaw >= 0 ? 1 : 0, passH: Double = ihRaw >= 0 ? 1 : 0
        let diw = SIMD4<Double>(-maxShare(a.x, b.x), 0, minShare(a.z, b.z), 0) * passW
        let dih = SIMD4<Double>(0, -maxShare(a.y, b.y), 0, minShare(a.w, b.w)) * passH
        let dInter = diw * ih + dih * iw
        let dArea = SIMD4<Double>(-h1, -w1, h1, w1)
        let dUnion = dArea - dInter
        let dIoU = dInter / union - dUnion * (iou / union)
        // Enclosing box and centre distance.
        let dcw = SIMD4<Double>(-minShare(a.x, b.x), 0, maxShare(a.z, b.z), 0)
        let dch = SIMD4<Double>(0, -minShare(a.y, b.y), 0, maxShare(a.w, b.w))
        let dc2 = dcw * (2 * cw) + dch * (2 * ch)
        let dRho2 = SIMD4<Double>(-sx / 2, -sy / 2, -sx / 2, -sy / 2)
        let dDistance = dRho2 / c2 - dc2 * (rho2 / (c2 * c2))
        // Aspect term: v depends on w1 = x2 − x1 and h1 = y2 − y1 + eps.
        let datan = 1 / (1 + r * r)
        let dvdw = -2 * k * u * datan / h1
        let dvdh = 2 * k * u * datan * w1 / (h1 * h1)
        let dv = SIMD4<Double>(-dvdw, -dvdh, dvdw, dvdh)
        return dIoU - dDistance - dv * alpha
    }
}
