import YOLOData

/// One image's ground truth in input pixels, as the reference pads it per image (spec train-and-val §4.4).
struct PoseTargets {
    /// Class index per object.
    var cls: [Int] = []
    /// Boxes, xyxy pixels: normalised xywh × (W, H, W, H), then corners centre ∓ size/2.
    var box: [SIMD4<Float>] = []
    /// Whether the row counts as a real box (coordinate sum > 0; the reference's `mask_gt`).
    var valid: [Bool] = []
    /// K keypoints per object: x·W, y·H in pixels and the visibility used for the mask (always 1 for D = 2).
    var keypoints: [SIMD3<Float>] = []
    var count: Int { cls.count }

    init() {}

    /// Converts the labels of one image of a batch of input size `width` × `height`.
    init(labels: [PoseLabel], width: Float, height: Float, keypointCount k: Int, dims: Int) {
        for (n, label) in labels.enumerated() {
            precondition(label.keypoints.count == k,
                         "PoseLoss: object \(n) has \(label.keypoints.count) keypoints, expected \(k)")
            let cx = label.box.x * width, cy = label.box.y * height
            let halfW = label.box.z * width / 2, halfH = label.box.w * height / 2
            let b = SIMD4<Float>(cx - halfW, cy - halfH, cx + halfW, cy + halfH)
            cls.append(label.cls)
            box.append(b)
            valid.append(b.x + b.y + b.z + b.w > 0)
            for p in label.keypoints {
                keypoints.append(SIMD3(p.x * width, p.y * height, dims == 2 ? 1 : p.z))
            }
        }
    }
}
