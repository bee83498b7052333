import Foundation
import YOLOTensor

extension PoseLossState {
    /// d(total)/d(head outputs) × `scale`, one tensor per level and kind in the order box, cls, kpt of level 0, then
    /// level 1, …. Background anchors get zero box and keypoint gradients (the graph stays connected).
    func gradients(scale: Float) -> [Tensor?] {
        let s = Double(scale) * Double(batch)
        var out: [Tensor?] = []
        var box: [Tensor] = [], kpt: [Tensor] = []
        let clsCoef = s * Double(gains.cls) / Double(tss)
        for lv in levels {
            box.append(Tensor(shape: lv.box.shape, repeating: 0))
            kpt.append(Tensor(shape: lv.kpt!.shape, repeating: 0))
            // Classification: (σ(x) − t)/tss everywhere; the foreground targets are subtracted below.
            let cls = Tensor(uninitializedShape: lv.cls.shape)
            let x = lv.cls.pointer, y = cls.pointer
            for i in 0..<cls.count { y[i] = Float(clsCoef * Double(sigmoid(x[i]))) }
            out.append(cls)
        }
        let grads = GradientViews(box: box.map(\.pointer), cls: out.map { $0!.pointer }, kpt: kpt.map(\.pointer))
        for f in foreground {
            let (l, r) = head.row(f.image, f.anchor)
            grads.cls[l][r * head.nc + f.cls] -= Float(clsCoef * Double(f.weight))
        }
        addBoxGradients(s, into: grads)
        addKeypointGradients(s, into: grads)
        var result: [Tensor?] = []
        for l in 0..<levels.count { result += [box[l], out[l], kpt[l]] }
        return result
    }

    /// Base pointers of the gradient tensors, per level.
    struct GradientViews {
        let box: [UnsafeMutablePointer<Float>], cls: [UnsafeMutablePointer<Float>], kpt: [UnsafeMutablePointer<Float>]
    }

    /// CIoU and DFL gradients with respect to the box-distribution logits of the foreground anchors.
    private func addBoxGradients(_ s: Double, into grads: GradientViews) {
        let rm = head.regMax
        let probs = UnsafeMutablePointer<Float>.allocate(capacity: 4 * rm)
        defer { probs.deallocate() }
        let boxGain = s * Double(gains.box) / Double(tss), dflGain = s * Double(gains.dfl) / Double(tss)
        for f in foreground {
            let d = head.distances(f.image, f.anchor, probs: probs)
            let ax = head.grid.x[f.anchor], ay = head.grid.y[f.anchor]
            let pred = SIMD4<Float>(ax - d[0], ay - d[1], ax + d[2], ay + d[3])
            // L = (1 − CIoU)·w·gain/tss: dL/dpred = −w·gain/tss·dCIoU/dpred; x1 = ax − d_l, x2 = ax + d_r, ….
            let dPred = CIoU.gradient(pred, f.target) * (-boxGain * Double(f.weight))
            let dDist = SIMD4<Double>(-dPred[0], -dPred[1], dPred[2], dPred[3])
            let t = dflTarget(f)
            let dflCoef = dflGain * Double(f.weight) / 4
            let (l, r) = head.row(f.image, f.anchor)
            let g = grads.box[l] + r * 4 * rm
            for side in 0..<4 {
                let p = probs + side * rm, gs = g + side * rm
                let left = Int(t[side])
                let wl = Float(left + 1) - t[side], wr = 1 - wl
                let mass = Double(wl + wr)
                for k in 0..<rm {
                    // Expectation d = Σ k·p_k: ∂d/∂z_k = p_k (k − d). DFL: ∂/∂z_k = (w_l + w_r) p_k − w_l δ_kl − w_r δ_kr.
                    var v = dDist[side] * Double(p[k]) * (Double(k) - Double(d[side]))
                    v += dflCoef * mass * Double(p[k])
                    gs[k] = Float(v)
                }
                gs[left] -= Float(dflCoef * Double(wl))
                gs[left + 1] -= Float(dflCoef * Double(wr))
            }
        }
    }

    /// OKS location and keypoint-objectness gradients with respect to the raw keypoints of the foreground anchors.
    private func addKeypointGradients(_ s: Double, into grads: GradientViews) {
        guard !foreground.isEmpty else { return }
        let k = keypointCount, dims = keypointDims
        let perKeypoint = 1 / Double(foreground.count * k)
        let poseCoef = s * Double(gains.pose) * perKeypoint, kobjCoef = s * Double(gains.kobj) * perKeypoint
        let grid = head.grid
        for f in foreground {
            let raw = head.keypoints(f.image, f.anchor)
            let (l, r) = head.row(f.image, f.anchor)
            let g = grads.kpt[l] + r * k * dims
            let gts = targets[f.image].keypoints
            let stride = grid.stride[f.anchor]
            let areaTerm = Double(area(f) + 1e-9)
            let labelled = (0..<k).reduce(0) { $0 + (gts[f.keypointStart + $1].z != 0 ? 1 : 0) }
            let factor = Double(Float(k) / (Float(labelled) + 1e-9))
            for i in 0..<k {
                let p = gts[f.keypointStart + i]
                let visible = p.z != 0
                if visible {
                    let px = raw[i * dims] * 2 + (grid.x[f.anchor] - 0.5)
                    let py = raw[i * dims + 1] * 2 + (grid.y[f.anchor] - 0.5)
                    let dx = Double(px - p.x / stride), dy = Double(py - p.y / stride)
                    let sigma2 = Double(2 * sigmas[i]) * Double(2 * sigmas[i])
                    let denom = sigma2 * areaTerm * 2
                    let e = (dx * dx + dy * dy) / denom
                    // ∂(1 − e^−e)/∂raw_x = e^−e · 2·dx/denom · 2.
                    let c = poseCoef * factor * Foundation.exp(-e) * 4 / denom
                    g[i * dims] = Float(c * dx)
                    g[i * dims + 1] = Float(c * dy)
                }
                if dims == 3 {
                    g[i * dims + 2] = Float(kobjCoef * (Double(sigmoid(raw[i * dims + 2])) - (visible ? 1 : 0)))
                }
            }
        }
    }
}
