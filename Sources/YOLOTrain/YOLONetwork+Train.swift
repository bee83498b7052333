import Foundation
import YOLOEngine
import YOLOModel

extension YOLONetwork {
    /// Trains this network on the dataset `data` (a data YAML) as `yolo pose train` does, starting from its
    /// current weights (fine-tuning; `model` and `pretrained` come from this object). Any other training argument
    /// of the reference goes in `arguments` (`["lr0": .double(0.01), "optimizer": .string("SGD")]`).
    /// `onEpochEnd` sees every finished epoch and may stop the run by returning false. Afterwards this network
    /// holds best.pt's weights (or last.pt's when nothing was validated), as Ultralytics' `model.train()` leaves it —
    /// when the data kept its layout; a dataset with other classes or keypoints changes the architecture, and then
    /// the trained network is `result.loadBest()` and this object is left as it was.
    @discardableResult
    public func train(data: String, epochs: Int = 100, imgsz: Int = 640, batch: Int = 16,
                      arguments: [(String, ConfigNode)] = [], log: ((String) -> Void)? = nil,
                      onEpochEnd: ((EpochSummary) -> Bool)? = nil) throws -> TrainResult {
        var overrides: [(key: String, value: ConfigNode)] = [("data", .string(data)), ("epochs", .int(epochs)),
                                                              ("imgsz", .int(imgsz)), ("batch", .int(batch))]
        overrides += arguments.map { (key: $0.0, value: $0.1) }
        let trainer = try Trainer(defaults: TrainArguments.defaults, overrides: overrides, log: log)
        trainer.startNetwork = self
        trainer.onEpochEnd = onEpochEnd
        let result = try trainer.train()
        let trained = try result.loadBest()
        if trained.stateDict().map({ $0.1.shape }) == stateDict().map({ $0.1.shape }) {
            copyState(from: trained)
            names = trained.names
            args = trained.args
        } else {
            Log.warning("the trained network has another layout (nc=\(trained.nc), kpt_shape=\(trained.kptShape ?? [])); this object keeps its weights, load \((result.best ?? result.last).path) for the result")
        }
        return result
    }
}
