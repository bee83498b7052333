import Foundation
import YOLOEngine
import YOLOModel
import YOLOTensor

extension CLI {
    /// Arguments predict and val share whose reference behaviour this build answers rather than silently ignores:
    /// `device` (CPU only), `augment` (the reference's own pose warning), `show` (no display), and the predict
    /// options not implemented yet.
    /// `device` as the user wrote it (`0,1` parses to a list; it is shown as written).
    static func deviceText(_ cfg: CLIConfig) -> String? {
        switch cfg.value("device") {
        case .none: return nil
        case .list(let items): return items.map(\.description).joined(separator: ",")
        case let v: return v.description
        }
    }

    /// The convolution arithmetic `quantize` asks predict and val for.
    static func precision(_ cfg: CLIConfig) -> ConvPrecision {
        cfg.string("quantize") == "16" ? .bfloat16 : .float32
    }

    static func checkCommonArguments(_ cfg: CLIConfig) throws {
        try Device.check(deviceText(cfg))
        if cfg.bool("augment") {
            Log.warning("Model does not support 'augment=True', reverting to single-scale prediction.")
        }
        if cfg.bool("show") {
            let display = ProcessInfo.processInfo.environment["DISPLAY"].map { !$0.isEmpty } ?? false
            Log.warning(display ? "'show=True' is not supported by this build (no window system integration); results are not displayed"
                                : "Environment does not support cv2.imshow() or PIL Image.show()\nThe DISPLAY environment variable isn't set.")
        }
        // quantize=16 runs bf16 where the CPU has it (predict/val say so once); 32 is the default arithmetic.
        if let q = cfg.string("quantize"), !["16", "32"].contains(q) {
            Log.warning(ConvPrecision.ignoredQuantize(q, mode: cfg.mode))
        }
        if cfg.bool("dnn") {
            Log.warning("'dnn=True' (OpenCV DNN for ONNX models in Ultralytics) is not used: this build runs ONNX models on its own tensor core")
        }
        if cfg.mode == "val" && cfg.bool("visualize") {
            Log.warning("'visualize' is used by predict only (as in the reference); val ignores it")
        }
        for key in ["embed"] where cfg.isSet(key) && cfg.bool(key) {
            Log.warning("'\(key)' is not supported by this build yet; ignoring '\(key)=\(cfg.string(key) ?? "")'")
        }

    }
}
