/// The default configuration: every key the grammar accepts, in order, with its default value
/// (Ultralytics 8.4.190 `default.yaml`; see /work/shared/spec/default-cfg.txt).
public enum DefaultConfig {
    /// Keys and defaults, in file order.
    public static let entries: [(key: String, value: CLIValue)] = [
        // General
        ("task", .string("detect")),
        ("mode", .string("train")),
        // Train
        ("model", .none),
        ("data", .none),
        ("epochs", .int(100)),
        ("time", .none),
        ("patience", .int(100)),
        ("batch", .int(16)),
        ("imgsz", .int(640)),
        ("save", .bool(true)),
        ("save_period", .int(-1)),
        ("cache", .bool(false)),
        ("device", .none),
        ("workers", .int(8)),
        ("project", .none),
        ("name", .none),
        ("exist_ok", .bool(false)),
        ("pretrained", .bool(true)),
        ("cls_remap", .bool(true)),
        ("optimizer", .string("auto")),
        ("verbose", .bool(true)),
        ("seed", .int(0)),
        ("deterministic", .bool(true)),
        ("single_cls", .bool(false)),
        ("rect", .bool(false)),
        ("cos_lr", .bool(false)),
        ("close_mosaic", .int(10)),
        ("resume", .bool(false)),
        ("amp", .bool(true)),
        ("fraction", .double(1.0)),
        ("profile", .bool(false)),
        ("freeze", .none),
        ("multi_scale", .double(0.0)),
        ("compile", .bool(false)),
        ("channels_last", .none),
        // Segmentation (not used by pose)
        ("overlap_mask", .bool(true)),
        ("mask_ratio", .int(4)),
        // Classification (not used by pose)
        ("dropout", .double(0.0)),
        // Val/Test
        ("val", .bool(true)),
        ("split", .string("val")),
        ("save_json", .bool(false)),
        ("conf", .none),
        ("iou", .double(0.7)),
        ("max_det", .int(300)),
        ("quantize", .none),
        ("dnn", .bool(false)),
        ("plots", .bool(true)),
        ("nms", .none),
        // Predict (not used by train/val)
        ("source", .none),
        ("vid_stride", .int(1)),
        ("stream_buffer", .bool(false)),
        ("visualize", .bool(false)),
        ("augment", .bool(false)),
        ("agnostic_nms", .bool(false)),
        ("classes", .none),
        ("retina_masks", .bool(false)),
        ("embed", .none),
        // Visualize (predict only)
        ("show", .bool(false)),
        ("save_frames", .bool(false)),
        ("save_txt", .bool(false)),
        ("save_conf", .bool(false)),
        ("save_crop", .bool(false)),
        ("show_labels", .bool(true)),
        ("show_conf", .bool(true)),
        ("show_boxes", .bool(true)),
        ("line_width", .none),
        // Export (not used by train/val)
        ("format", .string("torchscript")),
        ("optimize", .bool(false)),
        ("dynamic", .bool(false)),
        ("simplify", .bool(true)),
        ("opset", .none),
        ("workspace", .none),
        // Hyperparameters (optimizer, loss gains, augmentation)
        ("lr0", .double(0.01)),
        ("lrf", .double(0.01)),
        ("momentum", .double(0.937)),
        ("weight_decay", .double(0.0005)),
        ("warmup_epochs", .double(3.0)),
        ("warmup_momentum", .double(0.8)),
        ("warmup_bias_lr", .double(0.1)),
        ("distill_model", .none),
        ("dis", .double(6.0)),
        ("box", .double(7.5)),
        ("cls", .double(0.5)),
        ("cls_pw", .double(0.0)),
        ("dfl", .double(1.5)),
        ("pose", .double(12.0)),
        ("kobj", .double(1.0)),
        ("rle", .double(1.0)),
        ("angle", .double(1.0)),
        ("dlog", .double(1.0)),
        ("dgrad", .double(0.5)),
        ("dlam", .double(1.0)),
        ("nbs", .int(64)),
        ("hsv_h", .double(0.015)),
        ("hsv_s", .double(0.7)),
        ("hsv_v", .double(0.4)),
        ("degrees", .double(0.0)),
        ("translate", .double(0.1)),
        ("scale", .double(0.5)),
        ("shear", .double(0.0)),
        ("perspective", .double(0.0)),
        ("flipud", .double(0.0)),
        ("fliplr", .double(0.5)),
        ("bgr", .double(0.0)),
        ("mosaic", .double(1.0)),
        ("mixup", .double(0.0)),
        ("cutmix", .double(0.0)),
        ("copy_paste", .double(0.0)),
        ("copy_paste_mode", .string("flip")),
        ("auto_augment", .string("randaugment")),
        ("erasing", .double(0.4)),
        // Custom config
        ("cfg", .none),
        // Tracker (not used)
        ("tracker", .string("tracktrack.yaml")),
    ]

    /// Keys in file order.
    public static let keys: [String] = entries.map(\.key)

    private static let index: [String: CLIValue] = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })

    /// The default for `key`, or nil when it is not a config key.
    public static func value(_ key: String) -> CLIValue? { index[key] }

    /// Whether `key` is a config key.
    public static func contains(_ key: String) -> Bool { index[key] != nil }

    /// Whether the default of `key` is a bool (such keys may be given bare: `yolo predict show`).
    public static func isBoolKey(_ key: String) -> Bool {
        if case .bool = index[key] { return true }
        return false
    }

    /// The configuration as YAML, one `key: value` line per entry, as `yolo cfg` prints it.
    public static var yaml: String {
        entries.map { "\($0.key): \($0.value.yaml)" }.joined(separator: "\n") + "\n"
    }
}
