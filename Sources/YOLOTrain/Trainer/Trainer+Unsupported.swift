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
        let augmentation = ["mosaic", "mixup", "cutmix", "copy_paste", "degrees", "translate", "scale", "shear",
                            "perspective", "hsv_h", "hsv_s", "hsv_v", "flipud", "fliplr", "bgr"]
        let active = augmentation.filter { (args.double($0) ?? 0) != 0 }
        if !active.isEmpty {
            Log.warning("training augmentation is not implemented in this build yet: images are letterboxed to imgsz only, as the reference's pipeline does with \(active.map { "\($0)=0" }.joined(separator: ", ")) (requested: \(active.map { "\($0)=\(TrainArguments.pyStr(args[$0]))" }.joined(separator: ", ")))")
        }
        if args.bool("rect") { Log.warning("'rect=True' training batches are not implemented yet; training uses square imgsz batches") }
        if args.bool("cache") { Log.warning("'cache=\(TrainArguments.pyStr(args["cache"]))' is not implemented yet; images are decoded every epoch (results are the same)") }
        if (args.double("multi_scale") ?? 0) > 0 { Log.warning("'multi_scale' is not implemented yet; every batch is imgsz=\(TrainArguments.pyStr(args["imgsz"]))") }
        if args.bool("compile") { Log.warning("'compile' has no effect: there is no torch.compile in this build") }
        if args.bool("profile") { Log.warning("'profile' has no effect: this build has no logger integrations to profile for") }
        if args.bool("channels_last") { Log.warning("'channels_last=True' is only supported on CUDA, ignoring on 'cpu'.") }
        if (args.double("cls_pw") ?? 0) > 0 { Log.warning("'cls_pw' class weighting is not implemented yet; the class loss is unweighted") }
        if case .list = args["fraction"] { Log.warning("a per-split 'fraction' list is not supported; using the whole train split") }
    }
}
