import YOLOEngine
extension CLI {
    /// Runs a resolved task/mode command (`predict`, `val`, `train`, `export`, …).
    static func runMode(_ cfg: CLIConfig) throws {
        switch cfg.mode {
        case "predict", "track": try PredictCommand.run(cfg)
        case "val": try ValCommand.run(cfg)
        case "train": try TrainCommand.run(cfg)
        case "export": try ExportCommand.run(cfg)
        default: throw CLIError.notImplemented(cfg.mode)
        }
    }
}
