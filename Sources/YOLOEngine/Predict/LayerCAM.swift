import Foundation
import YOLOData
import YOLOModel
import YOLOTensor

/// The reference's `visualize=True` for PyTorch models: a LayerCAM heat map of what the predictions look at. Each
/// prediction to explain (the best class logit of every anchor whose sigmoid reaches `conf`, else the single best,
/// at most `topk`, strongest first) is back-propagated to the feature maps entering the head; per level, the
/// positive gradient times the activation is summed over channels, clipped at 0, resized bilinearly to the input and
/// scaled to a maximum of 1; the map is the maximum over levels and predictions. It is drawn in OpenCV's JET colours
/// over the letterboxed input (each channel stretched to 0…255), half and half.
enum LayerCAM {
    static let topk = 16

    /// The heat map (input height × width, 0…255) of network input `x` (one image, NHWC RGB in [0, 1]).
    static func heatmap(_ network: YOLONetwork, input x: Tensor, conf: Float, classes: [Int]?,
                        warn: (String) -> Void) -> [UInt8] {
        let (height, width) = (x.shape[1], x.shape[2])
        let previous = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = previous }
        // Gradients with respect to the head's input maps through every path (neck and head), as autograd gives
        // them in the reference: zero taps added where the maps are made; the weights need none.
        let params = network.allParameters().map(\.1)
        let trainable = params.map(\.requiresGrad)
        params.forEach { $0.requiresGrad = false }
        defer { for (p, t) in zip(params, trainable) { p.requiresGrad = t } }
        var leaves = [Tensor?](repeating: nil, count: network.head.levelCount)
        let feats = network.headInputs(x) { j, map in
            let zero = Tensor(shape: map.shape, requiresGrad: true)
            leaves[j] = zero
            return map.adding(zero)   // the same values; the zero leaf collects the gradient
        }
        let levels = network.head.raw(feats)
        // Best allowed class logit of every anchor, levels in order, anchors row-major.
        let nc = network.nc
        let allowed = classes.map { $0.filter { (0..<nc).contains($0) } }.flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<nc)
        var candidates: [(score: Float, level: Int, offset: Int)] = []
        for (l, level) in levels.enumerated() {
            let cls = level.cls
            let anchors = cls.shape[1] * cls.shape[2]
            for a in 0..<anchors {
                var best = -Float.infinity, bestClass = allowed[0]
                for c in allowed where cls.pointer[a * nc + c] > best { best = cls.pointer[a * nc + c]; bestClass = c }
                candidates.append((best, l, a * nc + bestClass))
            }
        }
        let top = candidates.map(\.score).max() ?? 0
        var kept = candidates.filter { 1 / (1 + exp(-$0.score)) >= conf || $0.score == top }
        kept.sort { $0.score > $1.score }
        if kept.count > topk { warn("Explaining the \(topk) strongest predictions per image out of \(kept.count).") }
        var cam = [Float](repeating: 0, count: height * width)
        for p in kept.prefix(topk) {
            for leaf in leaves { leaf?.grad = nil }
            let target = levels[p.level].cls
            let seed = Tensor(shape: target.shape)
            seed.pointer[p.offset] = 1
            target.backward(seed, retainGraph: true)
            var level = [Float](repeating: 0, count: height * width)
            for (leaf, a) in zip(leaves, feats) {
                guard let leaf, let g = leaf.grad else { continue }
                let (h, w, ch) = (leaf.shape[1], leaf.shape[2], leaf.shape[3])
                let map = Tensor(shape: [1, h, w, 1])
                var peak: Float = 0
                for i in 0..<(h * w) {
                    var s: Float = 0
                    for c in 0..<ch { s += max(g.pointer[i * ch + c], 0) * a.pointer[i * ch + c] }
                    map.pointer[i] = max(s, 0)
                }
                let up = map.resizedBilinear(height: height, width: width)
                for i in 0..<(height * width) { peak = max(peak, up.pointer[i]) }
                let scale = 1 / max(peak, 1e-7)
                for i in 0..<(height * width) { level[i] = max(level[i], up.pointer[i] * scale) }
            }
            for i in cam.indices { cam[i] = max(cam[i], level[i]) }
        }
        return cam.map { UInt8(max(0, min(255, ($0 * 255).rounded(.towardZero)))) }
    }

    /// The heat map in JET colours over the input stretched per channel, as a BGR image.
    static func overlay(_ heat: [UInt8], input x: Tensor) -> Image {
        let (height, width) = (x.shape[1], x.shape[2])
        var lo = [Float](repeating: .infinity, count: 3), hi = [Float](repeating: -.infinity, count: 3)
        for i in 0..<(height * width) {
            for c in 0..<3 { lo[c] = min(lo[c], x.pointer[i * 3 + c]); hi[c] = max(hi[c], x.pointer[i * 3 + c]) }
        }
        var pixels = [UInt8](repeating: 0, count: height * width * 3)
        for i in 0..<(height * width) {
            for c in 0..<3 {   // BGR out, RGB in
                let v = (x.pointer[i * 3 + (2 - c)] - lo[2 - c]) / max(hi[2 - c] - lo[2 - c], 1e-7) * 255
                let image = Int(max(0, min(255, v.rounded(.towardZero))))
                let colour = Int(jet[Int(heat[i]) * 3 + c])
                // addWeighted(colour, 0.5, image, 0.5, 0) rounds halves to even.
                let sum = colour + image
                pixels[i * 3 + c] = UInt8(sum % 2 == 0 ? sum / 2 : (sum / 2) % 2 == 0 ? sum / 2 : sum / 2 + 1)
            }
        }
        return Image(width: width, height: height, order: .bgr, pixels: pixels)
    }

    /// `<stem>_cam.jpg` in `dir`, or `<stem>_cam2.jpg`, … when taken (the reference's increment_path).
    static func outputURL(stem: String, in dir: URL) -> URL {
        var url = dir.appendingPathComponent("\(stem)_cam.jpg")
        var n = 2
        while FileManager.default.fileExists(atPath: url.path) {
            url = dir.appendingPathComponent("\(stem)_cam\(n).jpg")
            n += 1
        }
        return url
    }

    /// OpenCV's COLORMAP_JET, 256 BGR entries (cv2.applyColorMap of 0…255).
    static let jet: [UInt8] = {
        let hex = Array("8000008400008800008c00009000009400009800009c0000a00000a40000a80000ac0000b00000b40000b80000bc0000c00000c40000c80000cc0000d00000d40000d80000dc0000e00000e40000e80000ec0000f00000f40000f80000fc0000ff0000ff0400ff0800ff0c00ff1000ff1400ff1800ff1c00ff2000ff2400ff2800ff2c00ff3000ff3400ff3800ff3c00ff4000ff4400ff4800ff4c00ff5000ff5400ff5800ff5c00ff6000ff6400ff6800ff6c00ff7000ff7400ff7800ff7c00ff8000ff8400ff8800ff8c00ff9000ff9400ff9800ff9c00ffa000ffa400ffa800ffac00ffb000ffb400ffb800ffbc00ffc000ffc400ffc800ffcc00ffd000ffd400ffd800ffdc00ffe000ffe400ffe800ffec00fff000fff400fff800fffc00feff02faff06f6ff0af2ff0eeeff12eaff16e6ff1ae2ff1edeff22daff26d6ff2ad2ff2eceff32caff36c6ff3ac2ff3ebeff42baff46b6ff4ab2ff4eaeff52aaff56a6ff5aa2ff5e9eff629aff6696ff6a92ff6e8eff728aff7686ff7a82ff7e7eff827aff8676ff8a72ff8e6eff926aff9666ff9a62ff9e5effa25affa656ffaa52ffae4effb24affb646ffba42ffbe3effc23affc636ffca32ffce2effd22affd626ffda22ffde1effe21affe616ffea12ffee0efff20afff606fffa01fffe00fcff00f8ff00f4ff00f0ff00ecff00e8ff00e4ff00e0ff00dcff00d8ff00d4ff00d0ff00ccff00c8ff00c4ff00c0ff00bcff00b8ff00b4ff00b0ff00acff00a8ff00a4ff00a0ff009cff0098ff0094ff0090ff008cff0088ff0084ff0080ff007cff0078ff0074ff0070ff006cff0068ff0064ff0060ff005cff0058ff0054ff0050ff004cff0048ff0044ff0040ff003cff0038ff0034ff0030ff002cff0028ff0024ff0020ff001cff0018ff0014ff0010ff000cff0008ff0004ff0000ff0000fc0000f80000f40000f00000ec0000e80000e40000e00000dc0000d80000d40000d00000cc0000c80000c40000c00000bc0000b80000b40000b00000ac0000a80000a40000a000009c00009800009400009000008c000088000084000080".utf8)
        return stride(from: 0, to: hex.count, by: 2).map { i in
            func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
            return nibble(hex[i]) << 4 | nibble(hex[i + 1])
        }
    }()
}

extension Predictor {
    /// Writes the LayerCAM overlay of `image` (letterboxed as predict letterboxes it) to `<stem>_cam.jpg` in
    /// `saveDir` and logs it, as the reference does for `visualize=True`.
    func writeActivationMap(_ image: Image, stem: String, auto: Bool?, network: YOLONetwork, saveDir: URL) throws {
        let lb = letterbox(image, to: imgsz, auto: auto ?? (letterboxAuto && options.rect), stride: backend.maxStride)
        let x = lb.image.toTensorRGB01()
        let heat = LayerCAM.heatmap(network, input: x, conf: options.conf, classes: options.classes, warn: { Log.warning($0) })
        let url = LayerCAM.outputURL(stem: stem, in: saveDir)
        try ImageIO.writeJPEG(LayerCAM.overlay(heat, input: x), to: url, quality: 95)
        log("Saving \(url.path)... (LayerCAM)")
    }
}
