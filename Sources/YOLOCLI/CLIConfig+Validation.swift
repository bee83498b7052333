import YOLOEngine
/// Type and range checks on overrides, with the reference's messages. Values are canonicalized in place
/// (integral floats for int keys become ints, `fraction=1` becomes 1.0, `quantize=fp16` becomes 16).
public enum CLIValidation {
    /// Keys that take an int or a float.
    static let floatKeys: Set<String> = ["warmup_epochs", "box", "cls", "dfl", "pose", "kobj", "rle", "angle", "dlog",
                                         "dgrad", "dis", "degrees", "shear", "time", "workspace", "batch"]
    /// Keys that take a number in [0, 1] (`fraction` also takes counts and split lists).
    static let fractionKeys: Set<String> = ["dropout", "lr0", "lrf", "cls_pw", "momentum", "weight_decay",
                                            "warmup_momentum", "warmup_bias_lr", "hsv_h", "hsv_s", "hsv_v", "translate",
                                            "perspective", "flipud", "fliplr", "bgr", "mosaic", "mixup", "cutmix",
                                            "copy_paste", "erasing", "conf", "iou", "fraction", "multi_scale", "dlam"]
    /// Keys that take an int (integral floats such as `1e2` are accepted).
    static let intKeys: Set<String> = ["epochs", "patience", "workers", "seed", "close_mosaic", "mask_ratio", "max_det",
                                       "vid_stride", "line_width", "nbs", "save_period", "opset"]
    /// Smallest allowed value of some int keys.
    static let intMinimum: [String: Int] = ["epochs": 1, "patience": 0, "nbs": 1, "max_det": 1, "mask_ratio": 1,
                                            "vid_stride": 1, "seed": 0]
    /// Keys that take a bool.
    static let boolKeys: Set<String> = ["save", "exist_ok", "verbose", "deterministic", "single_cls", "rect", "cos_lr",
                                        "overlap_mask", "val", "save_json", "dnn", "plots", "show", "save_txt",
                                        "save_conf", "save_crop", "save_frames", "show_labels", "show_conf",
                                        "visualize", "augment", "agnostic_nms", "retina_masks", "stream_buffer",
                                        "show_boxes", "optimize", "dynamic", "simplify", "nms", "profile",
                                        "channels_last", "cls_remap"]
    /// Keys that take a string.
    static let stringKeys: Set<String> = ["optimizer", "split", "copy_paste_mode", "auto_augment"]
    /// Accepted `quantize` spellings and what they mean (bit widths, or a mixed scheme name).
    static let quantizeAliases: [String: CLIValue] = [
        "8": .int(8), "16": .int(16), "32": .int(32), "int8": .int(8), "fp16": .int(16), "fp32": .int(32),
        "w8a8": .int(8), "w16a16": .int(16), "w32a32": .int(32), "w8a16": .string("w8a16"), "w8a32": .string("w8a32"),
    ]

    /// Checks every override, config keys in default-config order first (the order the reference reports in).
    ///
    /// - Throws: ``CLIError/invalidType(_:)`` or ``CLIError/invalidValue(_:)`` for the first bad value.
    public static func check(_ overrides: inout CLIOverrides) throws {
        let order = DefaultConfig.keys.filter(overrides.contains) + overrides.keys.filter { !DefaultConfig.contains($0) }
        for key in order {
            guard let v = overrides[key] else { continue }
            overrides[key] = try check(key, v)
        }
    }

    /// Checks one value and returns it canonicalized.
    public static func check(_ k: String, _ v: CLIValue) throws -> CLIValue {
        let typed = floatKeys.union(fractionKeys).union(intKeys).union(boolKeys).union(stringKeys).union(["scale", "compile"])
        if v.isNone {
            let defaultIsSet = !(DefaultConfig.value(k) ?? .none).isNone
            if k == "amp" || (defaultIsSet && typed.contains(k) && k != "auto_augment") {
                throw CLIError.invalidType("'\(k)=None' is invalid. '\(k)' must not be None.")
            }
            return v
        }
        let numberTypes = "Valid '\(k)' types are int (i.e. '\(k)=0') or float (i.e. '\(k)=0.5')"
        if floatKeys.contains(k) {
            guard v.isNumber else { throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). \(numberTypes)") }
            return v
        }
        if k == "scale" {
            if case .list(let items) = v {
                guard items.count == 2, items.allSatisfy(\.isNumber) else {
                    throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). Valid '\(k)' types are int, float, or a tuple/list of two floats (i.e. '\(k)=(0.5, 2.0)')")
                }
                return v
            }
            guard let x = v.number else { throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). \(numberTypes)") }
            guard (0...1).contains(x) else { throw outOfUnitRange(k, v) }
            return v
        }
        if fractionKeys.contains(k) { return try checkFraction(k, v, numberTypes: numberTypes) }
        if intKeys.contains(k) {
            var value = v
            switch v {
            case .int: break
            case .bool(let b): value = .int(b ? 1 : 0)
            case .double(let d) where d.rounded() == d && abs(d) < 9e18: value = .int(Int(d))
            default: throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). '\(k)' must be an int (i.e. '\(k)=8')")
            }
            if let minimum = intMinimum[k], case .int(let i) = value, i < minimum {
                throw CLIError.invalidValue("'\(k)=\(i)' is an invalid value. '\(k)' must be >= \(minimum).")
            }
            return value
        }
        if boolKeys.contains(k) {
            guard case .bool = v else {
                throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). '\(k)' must be a bool (i.e. '\(k)=True' or '\(k)=False')")
            }
            return v
        }
        if stringKeys.contains(k) {
            guard case .string = v else { throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). '\(k)' must be a str.") }
            return v
        }
        switch k {
        case "compile":
            switch v {
            case .bool, .string: return v
            default: throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). '\(k)' must be a bool or str (i.e. '\(k)=True' or '\(k)=max-autotune')")
            }
        case "amp":
            if case .bool = v { return v }
            let s = v.description.lowercased()
            guard ["fp16", "bf16", "fp32"].contains(s) else {
                throw CLIError.invalidValue("'\(k)=\(v)' is invalid. Valid '\(k)' values are True, False, 'fp16', 'bf16', or 'fp32'.")
            }
            if case .string = v { return .string(s) }
            return v
        case "quantize":
            guard let scheme = quantizeAliases[v.description.lowercased()] else {
                throw CLIError.invalidValue("'\(k)=\(v)' is invalid. Valid '\(k)' values are 8, 16, 32, 'int8', 'fp16', 'fp32', 'w8a8', 'w16a16', 'w32a32', 'w8a16', or 'w8a32'. See https://docs.ultralytics.com/modes/export#quantization-options")
            }
            return scheme
        default:
            return v
        }
    }

    static func outOfUnitRange(_ k: String, _ v: CLIValue) -> CLIError {
        .invalidValue("'\(k)=\(v)' is an invalid value. Valid '\(k)' values are between 0.0 and 1.0.")
    }

    /// Fraction keys: a number in [0, 1]; `fraction` also takes a count > 1 or a `[train, val(, test)]` list.
    private static func checkFraction(_ k: String, _ v: CLIValue, numberTypes: String) throws -> CLIValue {
        if k == "fraction", case .list(let items) = v {
            let valid = (2...3).contains(items.count) && items.prefix(2).allSatisfy(\.isTruthy) && items.allSatisfy {
                switch $0 {
                case .int(let i): return i >= 0
                case .double(let d): return (0...1).contains(d)
                default: return false
                }
            }
            guard valid else { throw CLIError.invalidValue("'\(k)=\(v)' is invalid. Use [train, val] or [train, val, test] counts/ratios.") }
            return .list(items.map { x in
                if case .int(let i) = x, i == 0 || i == 1 { return .double(Double(i)) }
                return x
            })
        }
        if k == "fraction", case .bool = v {
            throw CLIError.invalidType("'\(k)=\(v)' is of invalid type bool. Valid '\(k)' types are int, float, or list")
        }
        guard let x = v.number else { throw CLIError.invalidType("'\(k)=\(v)' is of invalid type \(v.typeName). \(numberTypes)") }
        if k == "fraction" {
            var isCount = false
            if case .int(let i) = v, i > 1 { isCount = true }
            guard (x > 0 && x <= 1) || isCount else {
                throw CLIError.invalidValue("'\(k)=\(v)' invalid. Use integer count >1 or ratio (0, 1] for fraction.")
            }
            return x == 1 ? .double(1) : v
        }
        guard (0...1).contains(x) else { throw outOfUnitRange(k, v) }
        return v
    }
}
