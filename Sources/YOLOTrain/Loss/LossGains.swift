/// The five loss gains of the v8 pose loss (spec train-and-val §2.1, §4.9): `box`, `pose`, `kobj`, `cls`, `dfl`,
/// taken from the training arguments of the same names.
public struct LossGains: Sendable, Equatable {
    public var box: Float = 7.5
    public var pose: Float = 12.0
    public var kobj: Float = 1.0
    public var cls: Float = 0.5
    public var dfl: Float = 1.5

    public init(box: Float = 7.5, pose: Float = 12.0, kobj: Float = 1.0, cls: Float = 0.5, dfl: Float = 1.5) {
        self.box = box
        self.pose = pose
        self.kobj = kobj
        self.cls = cls
        self.dfl = dfl
    }

    /// The logged loss names, in the order of the loss items (progress-bar header and results.csv columns).
    public static let itemNames = ["box_loss", "pose_loss", "kobj_loss", "cls_loss", "dfl_loss"]
}
