import Foundation
import YOLOFormats

extension YOLONetwork {
    /// `args` as ordered pickle terms: keys in the order the checkpoint stored them, then any others sorted.
    public var orderedArgs: [(String, PickleTerm)] {
        let known = argsOrder.filter { args[$0] != nil }
        let rest = args.keys.filter { !Set(known).contains($0) }.sorted()
        return (known + rest).map { ($0, PickleTerm(config: args[$0]!)) }
    }

    /// Writes a stripped Ultralytics checkpoint (as `strip_optimizer` leaves `best.pt`): `model` = this network in
    /// float16 (or `dtype`), `epoch` −1, no optimizer, EMA, updates or best fitness, `train_args` = `args`.
    /// The file is replaced atomically. `YOLO(path)` in Ultralytics and `YOLONetwork.load(path)` both read it.
    /// - Throws: `CheckpointWriteError` for a fused network; `CheckpointError.writeFailed` naming the file.
    public func save(to url: URL, dtype: TensorDType = .float16) throws {
        var contents = UltralyticsCheckpointContents.stripped(model: self)
        contents.modelFormat.dtype = dtype
        try contents.write(to: url)
    }
}
