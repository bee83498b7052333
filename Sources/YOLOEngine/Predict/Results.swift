import Foundation
import YOLOData

/// Detected boxes in original-image pixels, as Ultralytics' `Boxes`.
public struct Boxes: Sendable {
    /// x1, y1, x2, y2 per detection.
    public let xyxy: [SIMD4<Float>]
    public let conf: [Float]
    public let cls: [Int]
    /// (height, width) of the original image.
    public let origShape: (height: Int, width: Int)
    /// Track ids when the boxes come from a tracker (`boxes.id`), else nil.
    public let id: [Int]?

    public init(xyxy: [SIMD4<Float>], conf: [Float], cls: [Int], origShape: (height: Int, width: Int), id: [Int]? = nil) {
        precondition(xyxy.count == conf.count && conf.count == cls.count && (id?.count ?? xyxy.count) == xyxy.count,
                     "Boxes: \(xyxy.count) boxes, \(conf.count) scores, \(cls.count) classes, \(id?.count ?? -1) ids")
        self.xyxy = xyxy
        self.conf = conf
        self.cls = cls
        self.origShape = origShape
        self.id = id
    }

    /// Whether the boxes carry track ids (`boxes.is_track`).
    public var isTrack: Bool { id != nil }

    public var count: Int { xyxy.count }
    /// Centre x, centre y, width, height.
    public var xywh: [SIMD4<Float>] { xyxy.map { SIMD4(($0[0] + $0[2]) / 2, ($0[1] + $0[3]) / 2, $0[2] - $0[0], $0[3] - $0[1]) } }
    private var norm: SIMD4<Float> {
        let w = Float(origShape.width), h = Float(origShape.height)
        return SIMD4(w, h, w, h)
    }
    /// xyxy divided by the original width/height.
    public var xyxyn: [SIMD4<Float>] { xyxy.map { $0 / norm } }
    /// xywh divided by the original width/height.
    public var xywhn: [SIMD4<Float>] { xywh.map { $0 / norm } }
}

/// Keypoints in original-image pixels, as Ultralytics' `Keypoints`: `data[i][k]` is (x, y[, visibility]).
public struct Keypoints: Sendable {
    public let data: [[[Float]]]
    public let origShape: (height: Int, width: Int)
    /// Values per keypoint (2 or 3).
    public let dims: Int

    public init(data: [[[Float]]], origShape: (height: Int, width: Int), dims: Int) {
        precondition(dims == 2 || dims == 3, "Keypoints: \(dims) values per keypoint")
        self.data = data
        self.origShape = origShape
        self.dims = dims
    }

    public var xy: [[SIMD2<Float>]] { data.map { $0.map { SIMD2($0[0], $0[1]) } } }
    public var xyn: [[SIMD2<Float>]] {
        let s = SIMD2(Float(origShape.width), Float(origShape.height))
        return xy.map { $0.map { $0 / s } }
    }
    /// Visibility confidences (nil when D = 2).
    public var conf: [[Float]]? { dims == 3 ? data.map { $0.map { $0[2] } } : nil }
    public var hasVisible: Bool { dims == 3 }
}

/// Timings of one image in milliseconds.
public struct Speed: Sendable, Equatable {
    public var preprocess: Double
    public var inference: Double
    public var postprocess: Double

    public init(preprocess: Double, inference: Double, postprocess: Double) {
        self.preprocess = preprocess
        self.inference = inference
        self.postprocess = postprocess
    }
}

/// Predictions for one image, as Ultralytics' `Results`.
public struct Results: Sendable {
    public let path: String
    public let origShape: (height: Int, width: Int)
    /// The letterboxed network input size (height, width).
    public let inputShape: (height: Int, width: Int)
    public let names: [Int: String]
    public let boxes: Boxes
    public let keypoints: Keypoints?
    public var speed: Speed
    /// The image the results were predicted on (set by the predictor), for `plot()` and `save(to:)`.
    public var origImage: Image?

    public init(path: String, origShape: (height: Int, width: Int), inputShape: (height: Int, width: Int),
                names: [Int: String], boxes: Boxes, keypoints: Keypoints?, speed: Speed) {
        self.path = path
        self.origShape = origShape
        self.inputShape = inputShape
        self.names = names
        self.boxes = boxes
        self.keypoints = keypoints
        self.speed = speed
    }

    /// Number of detections.
    public var count: Int { boxes.count }

    /// The detections at `indices`, in that order (the reference's `result[idx]`).
    public func selecting(_ indices: [Int]) -> Results {
        let b = Boxes(xyxy: indices.map { boxes.xyxy[$0] }, conf: indices.map { boxes.conf[$0] },
                      cls: indices.map { boxes.cls[$0] }, origShape: boxes.origShape, id: boxes.id.map { ids in indices.map { ids[$0] } })
        let k = keypoints.map { kp in Keypoints(data: indices.map { kp.data[$0] }, origShape: kp.origShape, dims: kp.dims) }
        var out = Results(path: path, origShape: origShape, inputShape: inputShape, names: names, boxes: b, keypoints: k, speed: speed)
        out.origImage = origImage
        return out
    }

    /// The same results with new boxes, clipped to the image (the reference's `Results.update(boxes=…)`).
    public func replacingBoxes(xyxy: [SIMD4<Float>], conf: [Float], cls: [Int], id: [Int]?) -> Results {
        let w = Float(origShape.width), h = Float(origShape.height)
        let clipped = xyxy.map { SIMD4(min(max($0[0], 0), w), min(max($0[1], 0), h), min(max($0[2], 0), w), min(max($0[3], 0), h)) }
        let b = Boxes(xyxy: clipped, conf: conf, cls: cls, origShape: boxes.origShape, id: id)
        var out = Results(path: path, origShape: origShape, inputShape: inputShape, names: names, boxes: b, keypoints: keypoints, speed: speed)
        out.origImage = origImage
        return out
    }

    /// Per-class counts: "2 persons, 1 dog, " or "(no detections), ".
    public func verbose() -> String {
        guard count > 0 else { return "(no detections), " }
        var counts: [Int: Int] = [:]
        for c in boxes.cls { counts[c, default: 0] += 1 }
        return counts.keys.sorted().map { c in
            let n = counts[c]!
            return "\(n) \(names[c] ?? String(c))\(n > 1 ? "s" : ""), "
        }.joined()
    }
}
