import Foundation
import YOLOEngine
import YOLOModel

extension Trainer {
    /// Arguments whose reference behaviour this build does not reproduce yet: each gets one warning saying what
    /// happens instead, so nothing is silently ignored. Arguments that need hardware this build cannot use fail.
    static func checkSupported(_ args: TrainArguments, log: (String) -> Void) throws {
        switch args["device"] {
        case .none: break
        case .list(let items): try Device.check(items.map(TrainArguments.pyStr).joined(separator: ","))
        case let v: try Device.check(TrainArguments.pyStr(v))
        }
        if !args.isNone("distill_model") {
            throw TrainError.invalidArgument(key: "distill_model", value: TrainArguments.pyStr(args["distill_model"]),
                                             reason: "knowledge distillation is not supported by this build")
        }
        if (args.double("copy_paste") ?? 0) > 0 {
            Log.warning("'copy_paste=\(TrainArguments.pyStr(args["copy_paste"]))' has no effect on pose labels: they have no segments to paste (the reference's CopyPaste skips them too)")
        }
        if args.bool("compile") { Log.warning("'compile' has no effect: there is no torch.compile in this build") }
        if args.bool("profile") { Log.warning("'profile' has no effect: this build has no logger integrations to profile for") }
        if args.bool("channels_last") { Log.warning("'channels_last=True' is only supported on CUDA, ignoring on 'cpu'.") }
        if (args.double("cls_pw") ?? 0) > 0 { Log.warning("'cls_pw' class weighting is not implemented yet; the class loss is unweighted") }
        if !args.bool("deterministic") {
            Log.warning("'deterministic=False' changes nothing here: training is deterministic for a given seed and number of threads")
        }
        if case .bool(false) = args["verbose"] {
            Log.warning("'verbose=False' is not applied to training: the log and the final validation's per-class rows are printed as with verbose=True")
        }
        if case .list = args["fraction"] { Log.warning("a per-split 'fraction' list is not supported; using the whole train split") }
    }
}
