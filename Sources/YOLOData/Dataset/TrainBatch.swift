import Foundation
import YOLOTensor

/// One augmented training image with its labels and the reference's per-sample metadata.
public struct TrainSample: Sendable {
    /// The augmented image, BGR.
    public var image: Image
    /// True when the network input is RGB (the usual case); false when this sample keeps BGR (`bgr` > 0).
    public var reverseChannels: Bool
    /// Objects normalised to the image (the collated `cls`/`bboxes`/`keypoints` of this sample).
    public var labels: [PoseLabel]
    /// The sample's file (for a mosaic, its first tile's).
    public var file: URL
    /// (h0, w0) of that file.
    public var origShape: (h: Int, w: Int)
    /// The reference's `resized_shape` (the output size).
    public var resizedShape: (h: Int, w: Int)
    /// (h/h0, w/w0) of the loaded image.
    public var ratioPad: (h: Double, w: Double)

    /// The image as the network sees it: RGB, or BGR bytes labelled RGB when the sample keeps BGR.
    public var networkImage: Image {
        reverseChannels ? image.converted(to: .rgb) : Image(width: image.width, height: image.height, order: .rgb,
                                                            pixels: image.pixels)
    }
}

/// One training batch: the network input and the samples it was made from.
public struct TrainBatch: @unchecked Sendable {
    /// NHWC in [0, 1], `[B, H, W, 3]`, RGB (per-sample BGR when the `bgr` draw keeps it).
    public var images: Tensor
    public var samples: [TrainSample]
    /// (H, W) of every image: imgsz × imgsz, or the rect batch shape.
    public var shape: (h: Int, w: Int)

    /// Objects per image (the collated labels split by `batch_idx`).
    public var labels: [[PoseLabel]] { samples.map(\.labels) }
    /// Number of objects in the batch.
    public var instances: Int { samples.reduce(0) { $0 + $1.labels.count } }

    /// Stacks samples of one shape into a batch.
    public init(samples: [TrainSample], shape: (h: Int, w: Int)) {
        let n = shape.h * shape.w * 3
        let x = Tensor(uninitializedShape: [samples.count, shape.h, shape.w, 3])
        for (b, s) in samples.enumerated() {
            precondition(s.image.height == shape.h && s.image.width == shape.w,
                         "TrainBatch: image \(s.image.width)×\(s.image.height) in a \(shape.w)×\(shape.h) batch")
            s.networkImage.writeRGB01(into: x.pointer + b * n)
        }
        x.markModified()
        images = x
        self.samples = samples
        self.shape = shape
    }
}
