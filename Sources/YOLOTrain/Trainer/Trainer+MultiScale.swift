import YOLOTensor

extension Trainer {
    /// `multi_scale=f`: as the reference's `preprocess_batch`, each batch is resized (bilinear, torch's
    /// align_corners=False) so its long side is a random stride multiple in [imgsz·(1−f), imgsz·(1+f)], the other
    /// side stretched up to a stride multiple; labels are normalized, so only the images change. The size is drawn
    /// from a generator seeded by `seed` and the iteration number (Python's `random` is not reproduced; a resumed
    /// run draws the same sizes).
    func multiScaled(_ images: Tensor, ni: Int) -> Tensor {
        let fraction = args.double("multi_scale") ?? 0
        guard fraction > 0 else { return images }
        let stride = Int(model.stride.max() ?? 32)
        let lo = max(stride, Int(Double(imgsz) * (1 - fraction)))
        let hi = Int(Double(imgsz) * (1 + fraction) + Double(stride))
        guard hi > lo else { return images }
        let seed = UInt64(truncatingIfNeeded: args.int("seed") ?? 0)
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(ni))
        let size = Int.random(in: lo..<hi, using: &generator) / stride * stride
        let (h, w) = (images.shape[1], images.shape[2])
        let factor = Double(size) / Double(max(h, w))
        guard factor != 1 else { return images }
        func side(_ x: Int) -> Int { Int((Double(x) * factor / Double(stride)).rounded(.up)) * stride }
        return images.resizedBilinear(height: side(h), width: side(w))
    }
}
