import Foundation
import YOLOModel
import YOLOTrain

/// `yolo pose train model=… data=… epochs=…`: trains with the reference's trainer semantics and prints its log.
enum TrainCommand {
    static func run(_ cfg: CLIConfig) throws {
        let defaults = DefaultConfig.entries.map { (key: $0.key, value: $0.value.configNode) }
        var overrides = cfg.keyOrder.compactMap { k in cfg.overrides[k].map { (key: k, value: $0.configNode) } }
        if !overrides.contains(where: { $0.key == "model" }) {
            overrides.insert((key: "model", value: .string(CLIGrammar.defaultModel)), at: 0)
        }
        print(CLI.banner())
        let trainer = try Trainer(defaults: defaults, overrides: overrides)
        _ = try trainer.train()
        print("💡 Learn more at https://docs.ultralytics.com/modes/train")
    }
}

extension CLIValue {
    /// The value as a config tree node (the trainer's argument type).
    var configNode: ConfigNode {
        switch self {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let l): return .list(l.map(\.configNode))
        }
    }
}
