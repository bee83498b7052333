/// `yolo pose val` arguments with the validator's defaults (spec train-and-val §5).
public struct ValOptions: Sendable {
    public var imgsz = 640
    public var batch = 16
    public var conf: Float = 0.001
    public var iou: Float = 0.7
    public var maxDet = 300
    public var split = "val"
    public var singleCls = false
    public var agnosticNMS = false
    public var verbose = true
    public init() {}
}
