import YOLOTensor

/// v / 255 in float32 for every byte value (the same as dividing each element).
private let unitScale: [Float] = (0..<256).map { Float($0) / 255 }

extension Image {
    /// The network input: NHWC `[1, height, width, 3]` float32, RGB, values byte / 255.
    public func toTensorRGB01() -> Tensor {
        let t = Tensor(uninitializedShape: [1, height, width, 3])
        writeRGB01(into: t.pointer)
        t.markModified()
        return t
    }

    /// Writes `height × width × 3` floats (RGB, byte / 255) at `p`, e.g. one image of a batch tensor.
    public func writeRGB01(into p: UnsafeMutablePointer<Float>) {
        let n = width * height
        let (first, last) = order == .rgb ? (0, 2) : (2, 0)
        unitScale.withUnsafeBufferPointer { lut in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    p[3 * i] = lut[Int(src[3 * i + first])]
                    p[3 * i + 1] = lut[Int(src[3 * i + 1])]
                    p[3 * i + 2] = lut[Int(src[3 * i + last])]
                }
            }
        }
    }
}
