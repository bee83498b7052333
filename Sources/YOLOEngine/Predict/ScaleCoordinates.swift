/// Maps letterboxed-input coordinates back to the original image as the reference does: per-axis gains
/// from the rounded resized size, pads round(d/2 − 0.1), then clipping to [0, w] × [0, h].
public struct LetterboxMapping: Sendable {
    public let gainX: Float, gainY: Float, padX: Float, padY: Float
    public let width: Float, height: Float

    /// Known gains and pads (validation's `ratio_pad`) for an `original` (h, w) image.
    public init(gainX: Float, gainY: Float, padX: Float, padY: Float, original: (height: Int, width: Int)) {
        self.gainX = gainX
        self.gainY = gainY
        self.padX = padX
        self.padY = padY
        width = Float(original.width)
        height = Float(original.height)
    }

    /// `input` is the letterboxed (H, W); `original` the source (h, w).
    public init(input: (height: Int, width: Int), original: (height: Int, width: Int)) {
        let g = min(Double(input.height) / Double(original.height), Double(input.width) / Double(original.width))
        let wn = max(Int((Double(original.width) * g).rounded(.toNearestOrEven)), 1)
        let hn = max(Int((Double(original.height) * g).rounded(.toNearestOrEven)), 1)
        self.init(gainX: Float(wn) / Float(original.width), gainY: Float(hn) / Float(original.height),
                  padX: Float((Double(input.width - wn) / 2 - 0.1).rounded(.toNearestOrEven)),
                  padY: Float((Double(input.height - hn) / 2 - 0.1).rounded(.toNearestOrEven)), original: original)
    }

    var original: (height: Int, width: Int) { (Int(height), Int(width)) }

    public func x(_ v: Float) -> Float { min(max((v - padX) / gainX, 0), width) }
    public func y(_ v: Float) -> Float { min(max((v - padY) / gainY, 0), height) }
    public func box(_ b: SIMD4<Float>) -> SIMD4<Float> { SIMD4(x(b[0]), y(b[1]), x(b[2]), y(b[3])) }
}

extension LetterboxMapping {
    /// Results in original-image pixels for detections in letterboxed-input pixels: boxes and keypoint x/y mapped
    /// and clipped, visibilities unchanged.
    func results(_ dets: [Detection], kptShape: [Int]?, names: [Int: String], path: String,
                 inputShape: (height: Int, width: Int)) -> Results {
        let orig = original
        let boxes = Boxes(xyxy: dets.map { box($0.box) }, conf: dets.map(\.conf), cls: dets.map(\.cls), origShape: orig)
        var keypoints: Keypoints?
        if let ks = kptShape {
            let (k, d) = (ks[0], ks[1])
            let data = dets.map { det in
                (0..<k).map { j -> [Float] in
                    let v = det.keypoints[(j * d)..<(j * d + d)]
                    let p = v.startIndex
                    return d == 3 ? [x(v[p]), y(v[p + 1]), v[p + 2]] : [x(v[p]), y(v[p + 1])]
                }
            }
            keypoints = Keypoints(data: data, origShape: orig, dims: d)
        }
        return Results(path: path, origShape: orig, inputShape: inputShape, names: names, boxes: boxes,
                       keypoints: keypoints, speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
    }
}
