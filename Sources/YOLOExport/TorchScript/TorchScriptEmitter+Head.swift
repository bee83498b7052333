import Foundation
import YOLOFormats
import YOLOModel
import YOLONN

extension TorchScriptEmitter {
    /// How the head is emitted.
    struct HeadOptions {
        /// Input height and width for the baked anchor grid (static export).
        var imgsz: (height: Int, width: Int)
        /// Compute the anchor grid from the feature-map sizes on every call instead of baking it.
        var dynamic: Bool
        /// Boxes as x1, y1, x2, y2 (what embedded NMS consumes) instead of cx, cy, w, h.
        var xyxy: Bool
    }

    /// The `Pose` (or `Detect`) head: per level three conv towers (box distribution, class logits, keypoints),
    /// flattened and joined over levels, then decoded to `[N, 4 + nc + K·D, anchors]` as Ultralytics' export
    /// forward does: DFL expectation → distances around the anchor points → boxes in input pixels, class
    /// sigmoid, keypoints `(2·raw + grid)·stride` with sigmoid visibility.
    func head(_ head: DetectHead, options: HeadOptions) -> TorchScriptObject {
        let levels = head.levelCount
        func branches(_ list: ModuleList) -> TorchScriptObject {
            container("ModuleList", list.items.map { item in
                let seq = item as! ModuleList
                return sequential([convBlock(seq[0] as! ConvBlock), convBlock(seq[1] as! ConvBlock), conv2d(seq[2] as! Conv2d)])
            })
        }
        var submodules: [(name: String, object: TorchScriptObject)] = [("cv2", branches(head.cv2)), ("cv3", branches(head.cv3))]
        if let dfl = head.dfl { submodules.append(("dfl", self.dfl(dfl, bins: head.regMax))) }
        if let cv4 = head.cv4 { submodules.append(("cv4", branches(cv4))) }

        let inputs = (0..<levels).map { "x\($0)" }
        var f = TorchScriptMethod(arguments: inputs.map { "\($0): Tensor" })
        _ = f.bindSubmodules(submodules.map(\.name))
        f.line("bs = torch.size(x0, 0)")
        func joined(_ tower: String, channels: Int, into name: String) {
            var parts: [String] = []
            for i in 0..<levels {
                f.line("\(tower)_\(i) = getattr(\(tower), \"\(i)\")")
                parts.append("torch.view((\(tower)_\(i)).forward(x\(i), ), [bs, \(channels), -1])")
            }
            f.line("\(name) = torch.cat([\(parts.joined(separator: ", "))], 2)")
        }
        joined("cv2", channels: 4 * head.regMax, into: "box")
        joined("cv3", channels: head.nc, into: "cls")
        if head.cv4 != nil { joined("cv4", channels: head.keypointValues, into: "kpt") }

        let (anchors, strides) = anchorGrid(head, options: options, method: &f)
        f.line(head.dfl != nil ? "dist = (dfl).forward(box, )" : "dist = box")
        f.line("points = torch.unsqueeze(\(anchors), 0)")
        f.line("x1y1 = torch.sub(points, torch.slice(dist, 1, 0, 2))")
        f.line("x2y2 = torch.add(points, torch.slice(dist, 1, 2, 4))")
        if options.xyxy {
            f.line("boxes = torch.mul(torch.cat([x1y1, x2y2], 1), \(strides))")
        } else {
            f.line("centers = torch.div(torch.add(x1y1, x2y2), 2.)")
            f.line("boxes = torch.mul(torch.cat([centers, torch.sub(x2y2, x1y1)], 1), \(strides))")
        }
        f.line("preds = torch.cat([boxes, torch.sigmoid(cls)], 1)")
        if let kpt = head.kptShape {
            let (k, d) = (kpt[0], kpt[1])
            f.line("k = torch.view(kpt, [bs, \(k), \(d), -1])")
            f.line("grid = torch.sub(\(anchors), 0.5)")
            f.line("kxy = torch.mul(torch.add(torch.mul(torch.slice(k, 2, 0, 2), 2.), grid), \(strides))")
            if d == 3 {
                f.line("kxy = torch.cat([kxy, torch.sigmoid(torch.slice(k, 2, 2, 3))], 2)")
            }
            f.line("return torch.cat([preds, torch.view(kxy, [bs, \(k * d), -1])], 1)")
        } else {
            f.line("return preds")
        }
        return object(module: "ultralytics.nn.modules.head", name: head.kptShape == nil ? "Detect" : "Pose",
                      submodules: submodules, methods: [f])
    }

    /// `DFL`: softmax over the bins of each side, then the expectation as a fixed 1×1 convolution (weights 0…bins−1).
    func dfl(_ dfl: DFL, bins: Int) -> TorchScriptObject {
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("conv = self.conv")
        f.line("b = torch.size(x, 0)")
        f.line("a = torch.size(x, 2)")
        f.line("p = torch.softmax(torch.transpose(torch.view(x, [b, 4, \(bins), a]), 2, 1), 1)")
        f.line("return torch.view((conv).forward(p, ), [b, 4, a])")
        return object(module: "ultralytics.nn.modules.block", name: "DFL",
                      submodules: [("conv", conv2d(dfl.conv))], methods: [f])
    }

    /// Expressions for the anchor points `[2, A]` (cell centres x + 0.5, y + 0.5, levels in order, row-major) and
    /// the per-anchor strides `[1, A]`: constants for a static export, computed from the feature maps otherwise.
    private func anchorGrid(_ head: DetectHead, options: HeadOptions,
                            method f: inout TorchScriptMethod) -> (anchors: String, strides: String) {
        let strides = head.stride.map(Int.init)
        guard options.dynamic else {
            var xs: [Float] = [], ys: [Float] = [], ss: [Float] = []
            for s in strides {
                let (h, w) = (options.imgsz.height / s, options.imgsz.width / s)
                for y in 0..<h {
                    for x in 0..<w {
                        xs.append(Float(x) + 0.5)
                        ys.append(Float(y) + 0.5)
                        ss.append(Float(s))
                    }
                }
            }
            return (constant(StoredTensor(shape: [2, xs.count], floats: xs + ys)),
                    constant(StoredTensor(shape: [1, ss.count], floats: ss)))
        }
        var points: [String] = [], steps: [String] = []
        for (i, s) in strides.enumerated() {
            let like = "dtype=ops.prim.dtype(x\(i)), layout=None, device=ops.prim.device(x\(i)), pin_memory=False"
            f.line("h\(i) = torch.size(x\(i), 2)")
            f.line("w\(i) = torch.size(x\(i), 3)")
            f.line("sx\(i) = torch.add(torch.arange(w\(i), \(like)), 0.5)")
            f.line("sy\(i) = torch.add(torch.arange(h\(i), \(like)), 0.5)")
            f.line("gx\(i) = torch.expand(torch.view(sx\(i), [1, w\(i)]), [h\(i), w\(i)])")
            f.line("gy\(i) = torch.expand(torch.view(sy\(i), [h\(i), 1]), [h\(i), w\(i)])")
            f.line("p\(i) = torch.view(torch.stack([gx\(i), gy\(i)], 0), [2, -1])")
            f.line("s\(i) = torch.mul(torch.ones([1, torch.mul(h\(i), w\(i))], \(like)), \(TorchScriptLiteral.float(Double(s))))")
            points.append("p\(i)")
            steps.append("s\(i)")
        }
        f.line("anchors = torch.cat([\(points.joined(separator: ", "))], 1)")
        f.line("strides = torch.cat([\(steps.joined(separator: ", "))], 1)")
        return ("anchors", "strides")
    }
}
