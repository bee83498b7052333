import Foundation
import XCTest
import YOLOCLI
import YOLOEngine
import YOLOTestSupport

/// Every key of the default configuration is either used or answered (issue 10): for each mode, the keys the
/// reference uses for a pose model on a CPU (its predictor, validator, trainer and exporter in 8.4.190) must be read
/// by our run of that mode (`ArgumentReads` records the keys the CLI and the trainer consult) or print a message
/// saying what happens instead; the keys the reference itself leaves unused for pose models are listed with why.
final class DefaultConfigWalkTests: XCTestCase {
    static let common: Set<String> = ["model", "imgsz", "batch", "device", "project", "name", "exist_ok", "verbose"]
    static let predict: Set<String> = common.union([
        "save", "rect", "conf", "iou", "max_det", "quantize", "dnn", "source", "vid_stride", "stream_buffer", "visualize",
        "augment", "agnostic_nms", "classes", "embed", "show", "save_frames", "save_txt", "save_conf", "save_crop",
        "show_labels", "show_conf", "show_boxes", "line_width"])
    /// What the reference reads in each mode.
    static let referenceUse: [String: Set<String>] = [
        "predict": predict,
        "track": predict.union(["tracker"]),
        "val": common.union(["data", "single_cls", "split", "save_json", "conf", "iou", "max_det", "quantize", "dnn",
                             "plots", "save_txt", "save_conf", "augment", "agnostic_nms"]),
        "export": ["model", "imgsz", "batch", "device", "name", "format", "optimize", "dynamic", "simplify", "opset",
                   "workspace", "nms", "quantize", "data", "fraction", "conf", "iou", "max_det", "agnostic_nms"],
        "train": common.union([
            "data", "epochs", "time", "patience", "save", "save_period", "cache", "workers", "pretrained", "cls_remap",
            "optimizer", "seed", "deterministic", "single_cls", "rect", "cos_lr", "close_mosaic", "resume", "fraction",
            "profile", "freeze", "multi_scale", "compile", "channels_last", "val", "split", "save_json", "conf", "iou",
            "max_det", "plots", "save_txt", "save_conf", "agnostic_nms", "classes", "lr0", "lrf", "momentum",
            "weight_decay", "warmup_epochs", "warmup_momentum", "warmup_bias_lr", "distill_model", "box", "cls", "cls_pw",
            "dfl", "pose", "kobj", "nbs", "hsv_h", "hsv_s", "hsv_v", "degrees", "translate", "scale", "shear",
            "perspective", "flipud", "fliplr", "bgr", "mosaic", "mixup", "cutmix", "copy_paste"]),
    ]
    /// Keys no mode of the reference uses for a pose model on a CPU, or that the grammar handles, and why.
    static let notForPose: [String: String] = [
        "task": "the grammar's TASK word", "mode": "the grammar's MODE word", "cfg": "merged by the parser",
        "overlap_mask": "segment", "mask_ratio": "segment", "retina_masks": "segment", "dropout": "classify",
        "auto_augment": "classify", "erasing": "classify", "angle": "obb", "dlog": "depth", "dgrad": "depth",
        "dlam": "depth", "rle": "the YOLO26 pose head's RLE loss, not the v8 head", "copy_paste_mode": "segment",
        "amp": "check_amp turns AMP off on a CPU", "dis": "only with distill_model (refused)",
    ]
    /// Keys a mode answers with a message instead of the reference's behaviour: (mode, key=value, message fragment).
    static let answers: [(mode: String, argument: String, message: String)] = [
        ("predict", "quantize=8", "'quantize=8' has no effect here"), ("predict", "dnn=True", "'dnn=True'"),
        ("predict", "visualize=True", "(LayerCAM)"), ("predict", "embed=[2]", "'embed' is not supported"),
        ("predict", "augment=True", "Model does not support 'augment=True'"), ("val", "quantize=8", "'quantize=8' has no effect here"),
        ("val", "dnn=True", "'dnn=True'"), ("train", "deterministic=False", "'deterministic=False' changes nothing"),
        ("train", "verbose=False", "'verbose=False' is not applied"), ("train", "compile=True", "'compile' has no effect"),
        ("train", "profile=True", "'profile' has no effect"), ("train", "cls_pw=0.5", "'cls_pw' class weighting"),
        ("train", "channels_last=True", "'channels_last=True' is only supported on CUDA"),
        ("train", "copy_paste=0.5", "has no effect on pose labels"),
    ]

    func testEveryDefaultKeyIsClassified() {
        let used = Self.referenceUse.values.reduce(Set<String>()) { $0.union($1) }
        let missing = DefaultConfig.keys.filter { !used.contains($0) && Self.notForPose[$0] == nil }
        XCTAssertEqual(missing, [], "default keys neither used by a mode nor explained")
        let unknown = used.union(Self.notForPose.keys).filter { !DefaultConfig.contains($0) }
        XCTAssertEqual(unknown.sorted(), [], "table keys that are not default keys")
    }

    func testEachModeReadsTheKeysTheReferenceUses() throws {
        let work = try TempDirectory.make(for: self, prefix: "walk")
        setenv("YOLO_CONFIG_DIR", work.appendingPathComponent("cfg").path, 1)
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000110.jpg").path
        let small = Fixtures.path("tiny-k5-pose.pt")
        // Export writes beside its model: a copy in the temp folder, never into Tests/Fixtures.
        let exported = work.appendingPathComponent("tiny-k5-pose.pt")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: small), to: exported)
        let runs: [String: [String]] = [
            "predict": ["pose", "predict", "model=\(small)", "source=\(image)", "project=\(work.path)"],
            "track": ["pose", "track", "model=\(small)", "source=\(image)", "project=\(work.path)"],
            "val": ["pose", "val", "model=\(Fixtures.path("overfit-n-pose.pt"))", "data=\(yaml)", "imgsz=64",
                    "project=\(work.path)"],
            "export": ["export", "model=\(exported.path)", "format=onnx"],
            "train": ["pose", "train", "model=\(Fixtures.path("tiny-pose.yaml"))", "data=\(yaml)", "epochs=1", "imgsz=64",
                      "batch=4", "pretrained=False", "plots=False", "project=\(work.path)"],
        ]
        let answered = Set(Self.answers.map { "\($0.mode) \($0.argument.split(separator: "=")[0])" })
        for (mode, argv) in runs.sorted(by: { $0.key < $1.key }) {
            var status: Int32 = -1
            let reads = ArgumentReads.record { status = CLI.run(argv) }
            XCTAssertEqual(status, 0, "\(mode) run failed")
            let ignored = Self.referenceUse[mode]!.filter { !reads.contains($0) && !answered.contains("\(mode) \($0)") }
            XCTAssertEqual(ignored.sorted(), [], "\(mode): keys the reference uses that this run never read")
        }
    }

    func testAnsweredKeysPrintTheirMessage() throws {
        let work = try TempDirectory.make(for: self, prefix: "walk-answers")
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        let image = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000110.jpg").path
        let small = Fixtures.path("tiny-k5-pose.pt")
        let base: [String: [String]] = [
            "predict": ["pose", "predict", "model=\(small)", "source=\(image)", "save=False"],
            "val": ["pose", "val", "model=\(small)", "data=\(yaml)", "imgsz=64", "plots=False"],
            "train": ["pose", "train", "model=\(Fixtures.path("tiny-pose.yaml"))", "data=\(yaml)", "epochs=1", "imgsz=64",
                      "batch=4", "pretrained=False", "plots=False", "val=False"],
        ]
        for (i, answer) in Self.answers.enumerated() {
            let argv = base[answer.mode]! + [answer.argument, "project=\(work.path)", "name=a\(i)"]
            let run = try YOLOBinary.run(argv, env: ["DISPLAY": ""], testClass: Self.self)
            XCTAssertTrue((run.stdout + run.stderr).contains(answer.message),
                          "\(answer.mode) \(answer.argument): no '\(answer.message)' in\n\(run.stderr)")
        }
    }
}
