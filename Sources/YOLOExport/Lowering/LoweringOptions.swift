/// How `YOLONetwork.exportGraph(_:)` shapes the graph.
public struct LoweringOptions: Sendable, Equatable {
    /// Batch size of the input (the static size, or the unrolled NMS batch when dynamic).
    public var batch: Int = 1
    /// Input height and width (multiples of the largest stride).
    public var height: Int = 640
    public var width: Int = 640
    /// Symbolic batch, height and width on the input (`batch`, `height`, `width`) and output (`batch`, `anchors`);
    /// anchors and strides are then computed inside the graph from the feature-map shapes.
    public var dynamic = false
    /// Embed non-maximum suppression: output `[batch, maxDet, 6 + K·D]` rows `x1 y1 x2 y2 score class kpts…`.
    public var nms: EmbeddedNMSOptions?
    /// Emit SiLU as one `GraphOp.silu` node (extension domain) instead of Sigmoid + Mul.
    public var fusedSiLU = false
    /// Graph input and output names.
    public var inputName = "images"
    public var outputName = "output0"

    public init(batch: Int = 1, height: Int = 640, width: Int = 640, dynamic: Bool = false,
                nms: EmbeddedNMSOptions? = nil) {
        self.batch = batch
        self.height = height
        self.width = width
        self.dynamic = dynamic
        self.nms = nms
    }
}

/// Settings of the NMS embedded with `nms=True` (the reference's defaults).
public struct EmbeddedNMSOptions: Sendable, Equatable {
    /// Candidates need a best class score strictly above `conf`.
    public var conf: Float = 0.25
    /// Boxes overlapping a kept box by IoU above this are suppressed.
    public var iou: Float = 0.7
    /// Output rows per image (zero-padded).
    public var maxDet = 300
    /// Suppress across classes instead of per class.
    public var agnostic = false

    public init(conf: Float = 0.25, iou: Float = 0.7, maxDet: Int = 300, agnostic: Bool = false) {
        self.conf = conf
        self.iou = iou
        self.maxDet = maxDet
        self.agnostic = agnostic
    }
}
