import Foundation
import YOLOData
import YOLOModel

extension PoseLoss {
    /// Builds the targets, assigns every image and computes the items.
    func evaluate(_ levels: [HeadLevel], labels: [[PoseLabel]]) -> PoseLossState {
        validate(levels, labels: labels)
        let batch = levels[0].box.shape[0]
        let grid = AnchorGrid(sizes: levels.map { ($0.box.shape[1], $0.box.shape[2]) }, strides: strides)
        let head = HeadOutputs(levels, grid: grid, regMax: regMax, nc: nc, kptValues: kptShape[0] * kptShape[1])
        let height = Float(levels[0].box.shape[1]) * strides[0], width = Float(levels[0].box.shape[2]) * strides[0]
        let targets = labels.map {
            PoseTargets(labels: $0, width: width, height: height, keypointCount: kptShape[0], dims: kptShape[1])
        }
        // Images are independent: assign them in parallel, keep batch order.
        var perImage = [[Foreground]](repeating: [], count: batch)
        perImage.withUnsafeMutableBufferPointer { out in
            let slots = out
            DispatchQueue.concurrentPerform(iterations: batch) { b in
                slots[b] = assignImage(b, targets: targets[b], head: head)
            }
        }
        let foreground = perImage.flatMap { $0 }
        let state = PoseLossState(levels: levels, head: head, targets: targets, foreground: foreground, batch: batch,
                                  kptShape: kptShape, sigmas: sigmas, gains: gains)
        state.computeItems()
        return state
    }

    /// The foreground anchors of one image and their targets.
    func assignImage(_ b: Int, targets: PoseTargets, head: HeadOutputs) -> [Foreground] {
        guard targets.count > 0 else { return [] }
        let grid = head.grid
        // Predicted pixel boxes, decoded once per anchor on first use.
        var cache = [SIMD4<Float>](repeating: .zero, count: grid.count)
        var cached = [Bool](repeating: false, count: grid.count)
        let result = assigner.assign(targets: targets, grid: grid, predBox: { a in
            if !cached[a] {
                cache[a] = head.gridBox(b, a) * grid.stride[a]
                cached[a] = true
            }
            return cache[a]
        }, score: { a, c in sigmoid(head.classLogits(b, a)[c]) })
        return result.anchors.indices.map { i in
            let a = result.anchors[i], gt = result.gt[i]
            return Foreground(image: b, anchor: a, gt: gt, cls: targets.cls[gt], weight: result.weight[i],
                              target: targets.box[gt] / grid.stride[a], keypointStart: gt * kptShape[0])
        }
    }
}
