import CKernels
import Foundation

/// The reference's RandomPerspective: M = T·Sh·R·P·C (float32), applied to the image with cv2.warpAffine (or
/// warpPerspective when `perspective ≠ 0`), bilinear, border 114, into the output size; boxes through their four
/// corners, keypoints pointwise (outside the output → visibility 0), then clipping and the box-candidate filter.
///
/// C moves the input centre to the origin; P has perspective terms U(±perspective); R rotates by U(±degrees) and
/// scales by U(1 − scale, 1 + scale) (or U(scaleRange)); Sh shears by tan(U(±shear)°); T translates by
/// U(0.5 ± translate) × the output size.
public struct RandomPerspective: Sendable {
    public var degrees: Double
    public var translate: Double
    public var scale: Double
    /// An absolute [min, max] scale range instead of 1 ± scale.
    public var scaleRange: (Double, Double)?
    public var shear: Double
    public var perspective: Double

    public init(degrees: Double = 0, translate: Double = 0.1, scale: Double = 0.5, scaleRange: (Double, Double)? = nil,
                shear: Double = 0, perspective: Double = 0) {
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.scaleRange = scaleRange
        self.shear = shear
        self.perspective = perspective
    }

    /// The eight draws, in the reference's order.
    public struct Draw: Sendable, Equatable {
        public var perspective: SIMD2<Double>
        public var angle: Double
        public var scale: Double
        public var shear: SIMD2<Double>
        /// The translation draws before multiplying by the output size (U(0.5 ± translate)).
        public var translate: SIMD2<Double>

        public init(perspective: SIMD2<Double>, angle: Double, scale: Double, shear: SIMD2<Double>, translate: SIMD2<Double>) {
            self.perspective = perspective
            self.angle = angle
            self.scale = scale
            self.shear = shear
            self.translate = translate
        }
    }

    public func draw<R: AugmentRandom>(_ random: inout R) -> Draw {
        let p0 = random.uniform(-perspective, perspective), p1 = random.uniform(-perspective, perspective)
        let a = random.uniform(-degrees, degrees)
        let s = scaleRange.map { random.uniform($0.0, $0.1) } ?? random.uniform(1 - scale, 1 + scale)
        let sh0 = random.uniform(-shear, shear), sh1 = random.uniform(-shear, shear)
        let t0 = random.uniform(0.5 - translate, 0.5 + translate), t1 = random.uniform(0.5 - translate, 0.5 + translate)
        return Draw(perspective: SIMD2(p0, p1), angle: a, scale: s, shear: SIMD2(sh0, sh1), translate: SIMD2(t0, t1))
    }

    /// The float32 matrix for an input of `input` size warped into `output` (both width, height).
    public static func matrix(_ d: Draw, input: (w: Int, h: Int), output: (w: Int, h: Int)) -> Matrix3 {
        var C = Matrix3.identity
        C[0, 2] = Float(-Double(input.w) / 2)
        C[1, 2] = Float(-Double(input.h) / 2)
        var P = Matrix3.identity
        P[2, 0] = Float(d.perspective.x)
        P[2, 1] = Float(d.perspective.y)
        // cv2.getRotationMatrix2D(angle, center=(0, 0), scale) in double, stored as float32.
        let rad = d.angle * (Double.pi / 180)
        let alpha = cos(rad) * d.scale, beta = sin(rad) * d.scale
        var R = Matrix3.identity
        R[0, 0] = Float(alpha); R[0, 1] = Float(beta); R[0, 2] = Float((1 - alpha) * 0 - beta * 0)
        R[1, 0] = Float(-beta); R[1, 1] = Float(alpha); R[1, 2] = Float(beta * 0 + (1 - alpha) * 0)
        var S = Matrix3.identity
        S[0, 1] = Float(tan(d.shear.x * Double.pi / 180))
        S[1, 0] = Float(tan(d.shear.y * Double.pi / 180))
        var T = Matrix3.identity
        T[0, 2] = Float(d.translate.x * Double(output.w))
        T[1, 2] = Float(d.translate.y * Double(output.h))
        return T * S * R * P * C
    }

    /// The output size of a sample: its rect batch shape, else imgsz × imgsz.
    public static func outputSize(_ g: SampleGeometry, imgsz: Int) -> (w: Int, h: Int) {
        g.rectShape.map { ($0.w, $0.h) } ?? (imgsz, imgsz)
    }

    /// The labels after warping with `matrix` (drawn scale `scale`) into `output`: transformed, clipped, filtered.
    public func transform(_ g: SampleGeometry, matrix M: Matrix3, scale: Double, output: (w: Int, h: Int)) -> SampleGeometry {
        let inst = g.instances.converted(to: .xyxy)
        let divide = perspective != 0
        var boxes: [SIMD4<Float>] = []
        boxes.reserveCapacity(inst.count)
        for b in inst.boxes {
            let c = [M.apply(x: b.x, y: b.y, divide: divide), M.apply(x: b.z, y: b.w, divide: divide),
                     M.apply(x: b.x, y: b.w, divide: divide), M.apply(x: b.z, y: b.y, divide: divide)]
            boxes.append(SIMD4(c.map(\.x).min()!, c.map(\.y).min()!, c.map(\.x).max()!, c.map(\.y).max()!))
        }
        let W = Float(output.w), H = Float(output.h)
        let kps = inst.keypoints.map { p -> SIMD3<Float> in
            let q = M.apply(x: p.x, y: p.y, divide: true)
            let outside = q.x < 0 || q.y < 0 || q.x > W || q.y > H
            return SIMD3(q.x, q.y, outside ? 0 : p.z)
        }
        var moved = Instances(format: .xyxy, cls: inst.cls, boxes: boxes, keypoints: kps,
                              keypointCount: inst.keypointCount)
        moved.clip(width: output.w, height: output.h)
        let s = Float(scale)
        let before = inst.boxes.map { $0 * s }
        let keep = zip(before, moved.boxes).map { RandomPerspective.isCandidate(before: $0, after: $1) }
        var out = g
        out.instances = moved.filtered(keep)
        out.width = output.w
        out.height = output.h
        out.resizedShape = (output.h, output.w)
        return out
    }

    /// The reference's box_candidates (float32): the warped box is wider and taller than 2 px, keeps more than 10 %
    /// of the scaled original area, and has an aspect ratio below 100.
    public static func isCandidate(before b1: SIMD4<Float>, after b2: SIMD4<Float>, areaThreshold: Float = 0.1) -> Bool {
        let eps: Float = 1e-16
        let w1 = b1.z - b1.x, h1 = b1.w - b1.y
        let w2 = b2.z - b2.x, h2 = b2.w - b2.y
        let ar = max(w2 / (h2 + eps), h2 / (w2 + eps))
        return w2 > 2 && h2 > 2 && w2 * h2 / (w1 * h1 + eps) > areaThreshold && ar < 100
    }

    /// cv2.warpAffine (first two rows of `matrix`) or cv2.warpPerspective of a BGR image into width × height.
    public static func warp(_ image: Image, matrix: Matrix3, width: Int, height: Int, perspective: Bool) -> Image {
        precondition(width > 0 && height > 0 && image.width > 0 && image.height > 0, "warp: empty size")
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let m = matrix.doubles
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if perspective {
                    yk_warp_perspective_u8c3(src.baseAddress!, Int32(image.height), Int32(image.width), m,
                                             dst.baseAddress!, Int32(height), Int32(width), 114)
                } else {
                    yk_warp_affine_u8c3(src.baseAddress!, Int32(image.height), Int32(image.width), Array(m[0..<6]),
                                        dst.baseAddress!, Int32(height), Int32(width), 114)
                }
            }
        }
        return Image(width: width, height: height, order: image.order, pixels: out)
    }
}
