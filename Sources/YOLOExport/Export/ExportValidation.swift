import YOLOModel

/// The reference's argument rules for export (spec export.md §1.2–1.4), in its order.
enum ExportValidation {
    /// Per-format `quantize` support, the allow-list of non-default arguments, and FP16 TorchScript on CPU.
    static func validate(_ args: inout ExportArguments, format: ExportFormat, network: YOLONetwork, log: ExportLog) throws {
        if let q = args.quantize {
            let allowed: Bool
            switch q {
            case .fp16: allowed = format.allowsFP16
            case .int8: allowed = format.allowsINT8
            case .w8a16: allowed = format.allowsW8A16
            case .w8a32: allowed = format.allowsW8A32
            case .fp32: allowed = format.allowsFP32
            }
            guard allowed else {
                throw ExportError.quantizeNotSupported(quantize: q.errorLabel, format: format.name, hint: format.quantizeOptions)
            }
        }
        for key in ExportFormat.checkedArguments.sorted() where args.differsFromDefault(key) {
            guard format.arguments.contains(key) else { throw ExportError.argumentNotSupported(argument: key, format: format.name) }
        }
        if args.quantize == .fp16 && format.name == "torchscript" && isCPU(args.device) {
            throw ExportError.invalidArgument("FP16 TorchScript export is only supported on GPU, i.e. use device=0.")
        }
        guard args.batch >= 1 else { throw ExportError.invalidArgument("'batch=\(args.batch)' must be >= 1 for export") }
    }

    /// `device` unset or CPU (the only device this build has).
    static func isCPU(_ device: String?) -> Bool {
        guard let d = device?.lowercased(), !d.isEmpty else { return true }
        return d == "cpu"
    }

    /// The export size `[h, w]`: `imgsz` (one size or two), else the checkpoint's training size, else 640; each
    /// rounded up to a multiple of the largest stride (at least 32) with the reference's warning.
    static func imageSize(_ given: [Int]?, network: YOLONetwork, log: ExportLog) throws -> [Int] {
        var size = given
        if size == nil {
            if let v = network.args["imgsz"] {
                if let i = v.int { size = [i] } else if let l = v.list?.compactMap(\.int), !l.isEmpty { size = l }
            }
        }
        let requested = size ?? [640]
        guard requested.count <= 2 else {
            throw ExportError.invalidArgument("imgsz=\(requested) is not a valid image size. 'train' and 'val' imgsz must be an integer, while 'predict' and 'export' imgsz may be a [h, w] list or an integer, i.e. 'yolo export imgsz=640,480' or 'yolo export imgsz=640'")
        }
        let stride = max(Int(network.stride.max() ?? 32), 32)
        let rounded = requested.map { max(Int((Double($0) / Double(stride)).rounded(.up)) * stride, stride) }
        if rounded != requested {
            log.warning("imgsz=\(requested) must be multiple of max stride \(stride), updating to \(rounded)")
        }
        return rounded.count == 1 ? [rounded[0], rounded[0]] : rounded
    }

    /// Settings the reference adjusts after validation: NMS dropped where the format cannot embed it, `conf`
    /// defaulting to 0.25 with NMS, the dynamic-batch warning and the INT8 calibration-data default.
    static func adjust(_ args: inout ExportArguments, format: ExportFormat, network: YOLONetwork, log: ExportLog) throws {
        if args.nms == true && !format.arguments.contains("nms") {
            log.warning("format=\(format.name) does not support embedded NMS; exporting native outputs for external NMS.")
            args.nms = nil
        }
        if args.nms == true { args.conf = args.conf ?? 0.25 }
        if (["engine", "coreml"].contains(format.name) || args.nms == true) && args.dynamic && args.batch == 1 {
            log.warning("'dynamic=True' export requires a maximum batch size, e.g. 'batch=16'.")
        }
        if (args.quantize == .int8 || args.quantize == .w8a16) && args.data == nil && format.arguments.contains("data") {
            args.data = network.task == "pose" ? "coco8-pose.yaml" : "coco8.yaml"
            log.warning("INT8 export requires a missing 'data' arg for calibration. Using default 'data=\(args.data!)'.")
        }
    }
}
