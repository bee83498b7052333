import YOLOEngine
extension CLI {
    /// Runs a resolved task/mode command (`predict`, `val`, `train`, `export`, …).
    static func runMode(_ cfg: CLIConfig) throws {
        try checkImgsz(cfg)
        switch cfg.mode {
        case "predict", "track": try PredictCommand.run(cfg)
        case "val": try ValCommand.run(cfg)
        case "train": try TrainCommand.run(cfg)
        case "export": try ExportCommand.run(cfg)
        default: throw CLIError.notImplemented(cfg.mode)
        }
    }

    /// `imgsz` must be an integer or a list, as the reference's `check_imgsz` requires: text that is neither
    /// (`imgsz=abc`) and non-integers (`imgsz=352.5`) are refused with its messages instead of being ignored.
    static func checkImgsz(_ cfg: CLIConfig) throws {
        guard cfg.isSet("imgsz") else { return }
        let v = cfg.value("imgsz")
        let valid = "Valid imgsz values are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'"
        switch v {
        case .int, .bool, .list: return
        case .string(let s):
            if Int(s) != nil { return }
            throw CLIError.invalidValue("'imgsz=\(s)' is not a valid image size. \(valid)")
        case .double, .none:
            throw CLIError.invalidType("'imgsz=\(v.description)' is of invalid type \(v.typeName). "
                                       + "Valid imgsz types are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'")
        }
    }
}
