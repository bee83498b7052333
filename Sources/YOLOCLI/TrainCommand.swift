import Foundation
import YOLODistributed
import YOLOEngine
import YOLOModel
import YOLOTrain

/// `yolo pose train model=… data=… epochs=…`: trains with the reference's trainer semantics and prints its log.
enum TrainCommand {
    static func run(_ cfg: CLIConfig) throws {
        var overrides = cfg.keyOrder.compactMap { k in cfg.overrides[k].map { (key: k, value: $0.configNode) } }
        if !overrides.contains(where: { $0.key == "model" }) {
            overrides.insert((key: "model", value: .string(CLIGrammar.defaultModel)), at: 0)
        }
        // Under mpirun: data-parallel over the ranks; rank 0 alone prints.
        let group = try Distributed.world()
        if group.isMain { print(CLI.banner()) }
        let trainer = try Trainer(defaults: TrainArguments.defaults, overrides: overrides, communicator: group)
        trainer.weightsDumpDirectory = ProcessInfo.processInfo.environment["YOLO_TRAIN_DUMP_WEIGHTS"]
            .map { URL(fileURLWithPath: $0) }
        _ = try trainer.train()
        if group.isMain { print("💡 Learn more at https://docs.ultralytics.com/modes/train") }
    }
}
