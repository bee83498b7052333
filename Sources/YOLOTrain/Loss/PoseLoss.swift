import YOLOData
import YOLOModel
import YOLOTensor

/// The YOLOv8 pose training loss (spec train-and-val §4): task-aligned assignment, CIoU box loss, distribution focal
/// loss, class BCE, keypoint OKS loss and keypoint objectness, with one fused backward rule.
///
/// The forward pass computes the assignment and the five items once; the gradient with respect to every level's box
/// logits, class logits and raw keypoints is computed only when `backward()` reaches the loss (never under
/// `withNoGrad`). The assignment, target scores, their sum and CIoU's α are constants, as in the reference.
public final class PoseLoss {
    public let nc: Int
    /// [K, D]: keypoints per object and values per keypoint (2 or 3).
    public let kptShape: [Int]
    public let regMax: Int
    /// Strides of the head levels, in level order.
    public let strides: [Float]
    /// OKS sigma per keypoint (see `OKS.sigmas`).
    public let sigmas: [Float]
    public let gains: LossGains
    let assigner: TaskAlignedAssigner

    public init(nc: Int, kptShape: [Int], regMax: Int = 16, strides: [Float], sigmas: [Float],
                gains: LossGains = LossGains()) {
        precondition(nc >= 1, "PoseLoss: nc \(nc)")
        precondition(kptShape.count == 2 && kptShape[0] >= 1 && (kptShape[1] == 2 || kptShape[1] == 3),
                     "PoseLoss: kptShape \(kptShape) must be [K, 2] or [K, 3]")
        precondition(regMax > 1, "PoseLoss: regMax \(regMax) (the DFL loss needs > 1)")
        precondition(!strides.isEmpty, "PoseLoss: no strides")
        precondition(sigmas.count == kptShape[0] && sigmas.allSatisfy { $0 > 0 },
                     "PoseLoss: \(sigmas.count) sigmas for \(kptShape[0]) keypoints")
        self.nc = nc
        self.kptShape = kptShape
        self.regMax = regMax
        self.strides = strides
        self.sigmas = sigmas
        self.gains = gains
        assigner = TaskAlignedAssigner(minSide: strides.count > 1 ? strides[1] : strides[0])
    }

    /// labels[i] = objects of image i of the batch (normalised to the batch image size, as the collated batch).
    /// Returns the scalar to back-propagate (sum of the 5 gain-weighted items × batch size) recorded on every
    /// level's box/cls/kpt tensor, and the 5 gain-weighted items (box, pose, kobj, cls, dfl) without the ×B.
    public func callAsFunction(_ levels: [HeadLevel], labels: [[PoseLabel]]) -> (loss: Tensor, items: [Float]) {
        let state = evaluate(levels, labels: labels)
        let inputs = levels.flatMap { [$0.box, $0.cls, $0.kpt!] }
        let loss = Tensor(shape: [], values: [state.total])
        loss.recording("PoseLoss", inputs) { g in state.gradients(scale: g.pointer[0]) }
        return (loss, state.items)
    }

    /// Checks the head outputs against the loss configuration and the labels against the batch.
    func validate(_ levels: [HeadLevel], labels: [[PoseLabel]]) {
        precondition(levels.count == strides.count, "PoseLoss: \(levels.count) levels for \(strides.count) strides")
        let n = levels[0].box.shape[0]
        let kv = kptShape[0] * kptShape[1]
        for (l, lv) in levels.enumerated() {
            guard let kpt = lv.kpt else { preconditionFailure("PoseLoss: level \(l) has no keypoint output") }
            let hw = Array(lv.box.shape.prefix(3))
            precondition(lv.box.rank == 4 && lv.box.shape[0] == n && lv.box.shape[3] == 4 * regMax,
                         "PoseLoss: level \(l) box \(lv.box.shape), expected [\(n), H, W, \(4 * regMax)]")
            precondition(lv.cls.shape == hw + [nc], "PoseLoss: level \(l) cls \(lv.cls.shape), expected \(hw + [nc])")
            precondition(kpt.shape == hw + [kv], "PoseLoss: level \(l) kpt \(kpt.shape), expected \(hw + [kv])")
        }
        precondition(labels.count == n, "PoseLoss: labels for \(labels.count) images, batch of \(n)")
        for objects in labels {
            for o in objects { precondition(o.cls >= 0 && o.cls < nc, "PoseLoss: class \(o.cls) for nc \(nc)") }
        }
    }
}
