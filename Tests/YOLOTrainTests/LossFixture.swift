import Foundation
import XCTest
import YOLOData
@testable import YOLOModel
import YOLOTensor
import YOLOTestSupport
@testable import YOLOTrain

/// One case of `Tests/Fixtures/train/` (made by Scripts/reference/make_loss_fixtures.py): the reference's train-mode
/// head outputs, the labels given to its loss, its items, total and gradients.
struct LossFixture {
    struct Meta: Decodable {
        struct Labels: Decodable {
            let batch_idx: [Float]
            let cls: [Float]
            let bboxes: [[Float]]
            let keypoints: [[[Float]]]
        }
        /// Checkpoint name (or synthetic case) prefixing the raw head-output files.
        let model: String
        let images: Int
        let nc: Int
        let kpt_shape: [Int]
        let sigmas: [Float]
        let items: [Float]
        let total: Float
        let n_fg: Int
        let tss: Float
        /// Foreground anchors whose alignment metric is 0 (top-k ties at 0).
        let zero_metric_fg: Int
        let levels: [[Int]]
        let params: [String]
        let labels: Labels
    }

    let name: String
    let meta: Meta

    init(_ name: String) throws {
        self.name = name
        meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: Self.url("\(name).json")))
    }

    static func url(_ file: String) -> URL { Fixtures.url("train/\(file)") }
    static func npy(_ file: String) throws -> NpyArray { try NpyArray(contentsOf: url(file)) }

    var keypointValues: Int { meta.kpt_shape[0] * meta.kpt_shape[1] }

    /// The reference head outputs, split per level into box / cls / kpt tensors.
    func levels(requiresGrad: Bool = false) throws -> [HeadLevel] {
        try (3...5).map { p in
            let raw = try Self.npy("\(meta.model)-raw-p\(p).npy")
            let t = raw.tensor
            let parts = [64, meta.nc, keypointValues]
            let split = t.splitChannels(parts)
            for s in split { s.requiresGrad = requiresGrad }
            return HeadLevel(box: split[0], cls: split[1], kpt: split[2])
        }
    }

    /// The labels as the trainer passes them: per image, normalised, D = 2 keypoints with visibility 1.
    var labels: [[PoseLabel]] {
        var out = [[PoseLabel]](repeating: [], count: meta.images)
        let l = meta.labels
        for i in l.batch_idx.indices {
            let b = l.bboxes[i]
            let kp = l.keypoints[i].map { SIMD3<Float>($0[0], $0[1], $0.count > 2 ? $0[2] : 1) }
            out[Int(l.batch_idx[i])].append(PoseLabel(cls: Int(l.cls[i]), box: SIMD4(b[0], b[1], b[2], b[3]),
                                                      keypoints: kp))
        }
        return out
    }

    func makeLoss() -> PoseLoss {
        PoseLoss(nc: meta.nc, kptShape: meta.kpt_shape, strides: [8, 16, 32], sigmas: meta.sigmas)
    }
}

/// max |a − b| / max |b|: the error relative to the reference's largest magnitude (0 when both are all zero).
func normRelative(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "normRelative: \(a.count) vs \(b.count)")
    let scale = b.reduce(Float(0)) { max($0, abs($1)) }
    let diff = maxAbsDiff(a, b)
    return scale == 0 ? diff : diff / scale
}
