import Foundation
import CKernels
import YOLONN
import YOLOTensor

/// Raw head outputs of one pyramid level, NHWC: box-distribution logits `[N, H, W, 4·reg_max]`,
/// class logits `[N, H, W, nc]` and raw keypoints `[N, H, W, K·D]` (pose only).
public struct HeadLevel {
    public let box: Tensor
    public let cls: Tensor
    public let kpt: Tensor?
}

/// Distribution focal loss integral: a fixed 1×1 conv with weights 0…reg_max−1 (kept for the state dict;
/// the decode computes the same expectation directly).
public final class DFL: Module {
    public let conv: Conv2d
    public init(_ c1: Int = 16) {
        conv = Conv2d(c1, 1, kernel: 1, bias: false)
        for i in 0..<c1 { conv.weight.pointer[i] = Float(i) }
        conv.weight.requiresGrad = false
        super.init()
    }
    public override var namedChildren: [(String, Module)] { [("conv", conv)] }
}

/// The YOLOv8 ("legacy") Detect head, with the Pose keypoint branch `cv4` when `kptShape` is set.
/// Registration order (and so state-dict order) is cv2, cv3, dfl, cv4.
public final class DetectHead: Module {
    public let nc: Int, regMax: Int
    public let kptShape: [Int]?
    public internal(set) var stride: [Float]
    public let cv2: ModuleList, cv3: ModuleList, dfl: DFL?, cv4: ModuleList?

    public init(nc: Int, kptShape: [Int]?, regMax: Int = 16, channels ch: [Int]) {
        self.nc = nc
        self.regMax = regMax
        self.kptShape = kptShape
        stride = [Float](repeating: 0, count: ch.count)
        let c2 = max(16, ch[0] / 4, regMax * 4), c3 = max(ch[0], min(nc, 100))
        func branch(_ x: Int, _ hidden: Int, _ out: Int) -> ModuleList {
            ModuleList([ConvBlock(x, hidden, k: 3), ConvBlock(hidden, hidden, k: 3), Conv2d(hidden, out, kernel: 1)])
        }
        cv2 = ModuleList(ch.map { branch($0, c2, 4 * regMax) })
        cv3 = ModuleList(ch.map { branch($0, c3, nc) })
        dfl = regMax > 1 ? DFL(regMax) : nil
        if let ks = kptShape {
            let nk = ks[0] * ks[1], c4 = max(ch[0] / 4, nk)
            cv4 = ModuleList(ch.map { branch($0, c4, nk) })
        } else {
            cv4 = nil
        }
        super.init()
    }

    public override var namedChildren: [(String, Module)] {
        var out: [(String, Module)] = [("cv2", cv2), ("cv3", cv3)]
        if let dfl { out.append(("dfl", dfl)) }
        if let cv4 { out.append(("cv4", cv4)) }
        return out
    }

    public var levelCount: Int { cv2.count }
    /// Keypoint values per anchor, K·D (0 for detection).
    public var keypointValues: Int { kptShape.map { $0[0] * $0[1] } ?? 0 }
    /// Output channels of the decoded tensor: 4 + nc + K·D.
    public var outputChannels: Int { 4 + nc + keypointValues }

    private func run(_ branch: Module, _ x: Tensor) -> Tensor {
        let seq = branch as! ModuleList
        let a = (seq[0] as! ConvBlock)(x)
        let b = (seq[1] as! ConvBlock)(a)
        return (seq[2] as! Conv2d)(b)
    }

    /// A bf16 feature map (bf16 inference) as the blocked float32 one the branches take when they compute float32 on
    /// the blocked layout (`ConvPrecision.headRunsFloat32InBF16`), converted once for the three branches; else as is.
    private func float32Source(_ x: Tensor, branch: Module) -> Tensor {
        guard x.layout == .bf16, let first = ((branch as? ModuleList)?.items.first as? ConvBlock)?.conv,
              first.cache.precision == .float32, ConvLayoutPolicy.blocksActivations else { return x }
        return x.toBlocked()
    }

    /// Raw per-level outputs (what the training loss consumes).
    public func raw(_ feats: [Tensor]) -> [HeadLevel] {
        precondition(feats.count == levelCount, "DetectHead: \(feats.count) feature maps for \(levelCount) levels")
        return feats.enumerated().map { i, feature in
            let x = float32Source(feature, branch: cv2[i])
            return HeadLevel(box: run(cv2[i], x), cls: run(cv3[i], x), kpt: cv4.map { run($0[i], x) })
        }
    }

    /// Decoded output `[N, 4 + nc + K·D, anchors]`: xywh boxes in input pixels, class sigmoid, keypoints
    /// decoded to input pixels with sigmoid visibility — the layout of Ultralytics' eval output and ONNX `output0`.
    public func decode(_ levels: [HeadLevel]) -> Tensor {
        let n = levels[0].box.shape[0]
        let anchors = levels.reduce(0) { $0 + $1.box.shape[1] * $1.box.shape[2] }
        let out = Tensor(uninitializedShape: [n, outputChannels, anchors])
        var a0 = 0
        let (k, d) = kptShape.map { ($0[0], $0[1]) } ?? (0, 0)
        for (i, lv) in levels.enumerated() {
            let (h, w) = (lv.box.shape[1], lv.box.shape[2])
            // Blocked maps (the float32 blocked chain) are read in place; any other layout as NHWC.
            let blocked = lv.box.layout == .nChw8c && lv.cls.layout == .nChw8c && (lv.kpt?.layout ?? .nChw8c) == .nChw8c
            func values(_ t: Tensor) -> UnsafeMutablePointer<Float> { blocked ? t.blockedPointer : t.pointer }
            yk_decode_level(values(lv.box), values(lv.cls), lv.kpt.map(values), blocked ? 1 : 0, Int64(n), Int64(h),
                            Int64(w), Int32(regMax), Int32(nc), Int32(k), Int32(d), stride[i], out.pointer,
                            Int64(anchors), Int64(a0))
            a0 += h * w
        }
        return out
    }
}

extension DetectHead {
    /// Ultralytics' bias initialisation once strides are known: box logits 2.0, class logits
    /// log(5 / nc / (640 / s)²).
    func initializeBiases() {
        for i in 0..<levelCount {
            if let b = ((cv2[i] as! ModuleList)[2] as! Conv2d).bias {
                for j in 0..<b.count { b.pointer[j] = 2 }
                b.markModified()
            }
            if let b = ((cv3[i] as! ModuleList)[2] as! Conv2d).bias {
                let v = Float(log(5.0 / Double(nc) / pow(640.0 / Double(stride[i]), 2)))
                for j in 0..<min(nc, b.count) { b.pointer[j] = v }
                b.markModified()
            }
        }
    }
}
