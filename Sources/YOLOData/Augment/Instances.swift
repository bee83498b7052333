import Foundation

/// The objects of one training sample in pixel coordinates of its current image, as the reference's `Instances`
/// hold them between transforms: float32 boxes (xyxy or xywh) and K keypoints (x, y, visibility) per object.
///
/// Every coordinate operation is float32 in the reference's order, so results match it to the last bit where the
/// reference's arithmetic is elementwise.
public struct Instances: Sendable, Equatable {
    public enum BoxFormat: Sendable { case xyxy, xywh }

    public var format: BoxFormat
    public var cls: [Int]
    public var boxes: [SIMD4<Float>]
    /// `count × keypointCount` points, object-major.
    public var keypoints: [SIMD3<Float>]
    public let keypointCount: Int

    public var count: Int { boxes.count }

    public init(format: BoxFormat, cls: [Int], boxes: [SIMD4<Float>], keypoints: [SIMD3<Float>], keypointCount: Int) {
        precondition(cls.count == boxes.count && keypoints.count == boxes.count * keypointCount,
                     "Instances: \(cls.count) classes, \(boxes.count) boxes, \(keypoints.count) keypoints")
        self.format = format
        self.cls = cls
        self.boxes = boxes
        self.keypoints = keypoints
        self.keypointCount = keypointCount
    }

    /// No objects.
    public static func empty(keypointCount: Int) -> Instances {
        Instances(format: .xyxy, cls: [], boxes: [], keypoints: [], keypointCount: keypointCount)
    }

    /// Normalised labels of an image of `width × height`, as xyxy pixels shifted by `pad`: xywh → xyxy (normalised),
    /// × (width, height), + pad — the reference's convert, denormalize, add_padding.
    public init(labels: [PoseLabel], keypointCount: Int, width: Int, height: Int, pad: (x: Int, y: Int) = (0, 0)) {
        let W = Float(width), H = Float(height), px = Float(pad.x), py = Float(pad.y)
        format = .xyxy
        cls = labels.map(\.cls)
        boxes = labels.map { l in
            let hw = l.box.z / 2, hh = l.box.w / 2
            return SIMD4((l.box.x - hw) * W + px, (l.box.y - hh) * H + py, (l.box.x + hw) * W + px, (l.box.y + hh) * H + py)
        }
        var kp: [SIMD3<Float>] = []
        kp.reserveCapacity(labels.count * keypointCount)
        for l in labels {
            precondition(l.keypoints.count == keypointCount, "Instances: label with \(l.keypoints.count) keypoints, expected \(keypointCount)")
            for p in l.keypoints { kp.append(SIMD3(p.x * W + px, p.y * H + py, p.z)) }
        }
        keypoints = kp
        self.keypointCount = keypointCount
    }

    /// The keypoints of object `i`.
    public func keypoints(of i: Int) -> ArraySlice<SIMD3<Float>> {
        keypoints[(i * keypointCount)..<((i + 1) * keypointCount)]
    }

    /// Boxes in `format` (xyxy ↔ xywh in float32).
    public func converted(to format: BoxFormat) -> Instances {
        guard format != self.format else { return self }
        var out = self
        out.format = format
        switch format {
        case .xyxy:
            out.boxes = boxes.map { b in
                let hw = b.z / 2, hh = b.w / 2
                return SIMD4(b.x - hw, b.y - hh, b.x + hw, b.y + hh)
            }
        case .xywh:
            out.boxes = boxes.map { b in SIMD4((b.x + b.z) / 2, (b.y + b.w) / 2, b.z - b.x, b.w - b.y) }
        }
        return out
    }

    /// Adds (dx, dy) to every box corner and keypoint (xyxy or xywh centres), keypoint placeholders included.
    public mutating func translate(dx: Int, dy: Int) {
        let fx = Float(dx), fy = Float(dy)
        let delta = format == .xyxy ? SIMD4(fx, fy, fx, fy) : SIMD4(fx, fy, 0, 0)
        for i in boxes.indices { boxes[i] += delta }
        for i in keypoints.indices { keypoints[i].x += fx; keypoints[i].y += fy }
    }

    /// The reference's clip: boxes clamped to [0, width] × [0, height]; a keypoint outside (x < 0, x > width,
    /// y < 0 or y > height) gets visibility 0, then keypoints are clamped too.
    public mutating func clip(width: Int, height: Int) {
        let W = Float(width), H = Float(height)
        let original = format
        self = converted(to: .xyxy)
        for i in boxes.indices {
            let b = boxes[i]
            boxes[i] = SIMD4(clamp(b.x, 0, W), clamp(b.y, 0, H), clamp(b.z, 0, W), clamp(b.w, 0, H))
        }
        self = converted(to: original)
        for i in keypoints.indices {
            var p = keypoints[i]
            if p.x < 0 || p.x > W || p.y < 0 || p.y > H { p.z = 0 }
            p.x = clamp(p.x, 0, W)
            p.y = clamp(p.y, 0, H)
            keypoints[i] = p
        }
    }

    /// Keeps the objects where `keep` is true.
    public func filtered(_ keep: [Bool]) -> Instances {
        precondition(keep.count == count, "Instances.filtered: \(keep.count) flags for \(count) objects")
        var out = Instances(format: format, cls: [], boxes: [], keypoints: [], keypointCount: keypointCount)
        for i in 0..<count where keep[i] {
            out.cls.append(cls[i])
            out.boxes.append(boxes[i])
            out.keypoints.append(contentsOf: keypoints(of: i))
        }
        return out
    }

    /// Removes boxes of zero area (xyxy: (x2 − x1)(y2 − y1) > 0 is kept; xywh: w·h > 0).
    public mutating func removeZeroAreaBoxes() {
        let keep = boxes.map { b in format == .xyxy ? (b.z - b.x) * (b.w - b.y) > 0 : b.w * b.z > 0 }
        if keep.contains(false) { self = filtered(keep) }
    }

    /// These objects followed by `other`'s (in this one's box format).
    public func concatenated(_ other: Instances) -> Instances {
        precondition(other.keypointCount == keypointCount, "Instances: keypoint counts differ")
        let o = other.converted(to: format)
        return Instances(format: format, cls: cls + o.cls, boxes: boxes + o.boxes, keypoints: keypoints + o.keypoints,
                         keypointCount: keypointCount)
    }
}

/// NumPy's clip for float32: min(max(x, lo), hi).
@inline(__always) func clamp(_ x: Float, _ lo: Float, _ hi: Float) -> Float { Swift.min(Swift.max(x, lo), hi) }
