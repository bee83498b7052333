import Foundation

/// The reference's Format for pose training: boxes to xywh normalised by the final image width and height,
/// keypoints x/W, y/H with their raw visibility, classes as they are; and the channel order of the network input —
/// reversed to RGB when `uniform(0, 1) > bgr` (always with the default bgr = 0).
public struct FormatSample: Sendable {
    public var bgr: Double

    public init(bgr: Double = 0) { self.bgr = bgr }

    /// True when the image is handed over as RGB (the usual case), false when it stays BGR.
    public func drawReverse<R: AugmentRandom>(_ random: inout R) -> Bool { random.uniform(0, 1) > bgr }

    /// The objects normalised to the sample's image, in the collated batch's layout.
    public static func labels(_ g: SampleGeometry) -> [PoseLabel] {
        let inst = g.instances.converted(to: .xywh)
        let W = Float(g.width), H = Float(g.height)
        return (0..<inst.count).map { i in
            let b = inst.boxes[i]
            let kp = inst.keypoints(of: i).map { SIMD3($0.x / W, $0.y / H, $0.z) }
            return PoseLabel(cls: inst.cls[i], box: SIMD4(b.x / W, b.y / H, b.z / W, b.w / H), keypoints: kp)
        }
    }
}
