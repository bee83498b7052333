import YOLODistributed
import YOLOEngine
import YOLOModel
extension CLI {
    /// Runs a resolved task/mode command (`predict`, `val`, `train`, `export`, …).
    static func runMode(_ cfg: CLIConfig) throws {
        try checkImgsz(cfg)
        // Under mpirun: train, predict and val share the work; tracking follows each source's frames in order and
        // export writes one file, so those run on one process.
        if let env = MPIEnvironment(), env.size > 1 {
            let group = try Distributed.world()
            // Ranks above 0 print errors only (and predict's per-image lines), as the reference's logger on them.
            if !group.isMain { Log.enabled = false }
            if cfg.mode == "track" {
                throw CLIError.invalidValue("track follows each source's frames in order and is not split across MPI ranks; run it without mpirun (or with -np 1)")
            }
            if cfg.mode == "export" && !group.isMain { return }
        }
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
        let sides: [Double]
        switch v {
        case .int(let i): sides = [Double(i)]
        case .bool: return
        case .list(let items): sides = items.compactMap(\.number)
        case .string(let s):
            guard let i = Int(s) else { throw CLIError.invalidValue("'imgsz=\(s)' is not a valid image size. \(valid)") }
            sides = [Double(i)]
        case .double, .none:
            throw CLIError.invalidType("'imgsz=\(v.description)' is of invalid type \(v.typeName). "
                                       + "Valid imgsz types are int i.e. 'imgsz=640' or list i.e. 'imgsz=[640,640]'")
        }
        // The reference has no upper bound and runs out of memory (or time) on a huge size; refuse it in one line.
        if let side = sides.first(where: { $0 > Double(maxImgsz) }) {
            throw CLIError.invalidValue("'imgsz=\(v.description)' is too large: \(Int(side)) exceeds this build's limit of "
                                        + "\(maxImgsz) per side (a \(Int(side))² input alone needs \(Int(side * side * 12 / 1e9)) GB)")
        }
    }

    /// The largest image side `imgsz` may ask for.
    static let maxImgsz = Predictor.maxImgsz
}
