import Foundation
import XCTest
import YOLOEngine
@testable import YOLOCLI

/// Token processing, resolution and value checks, with messages captured from the reference `yolo`.
final class CLIParserTests: XCTestCase {
    /// Parses and resolves, collecting warnings.
    func resolve(_ args: String, file: StaticString = #filePath, line: UInt = #line) throws -> (CLIConfig, [String]) {
        var warnings: [String] = []
        let cfg = try CLIConfig.parse(args.split(separator: " ").map(String.init)) { warnings.append($0) }
        guard let cfg else { XCTFail("not a run: \(args)", file: file, line: line); throw CLIError.missing("") }
        return (cfg, warnings)
    }

    func error(_ args: [String]) -> CLIError? {
        do { _ = try CLIConfig.parse(args) { _ in }; return nil } catch { return error as? CLIError }
    }

    func assertError(_ args: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = error(args.split(separator: " ").map(String.init)) else {
            XCTFail("no error for \(args)", file: file, line: line); return
        }
        XCTAssertEqual(e.description, message, file: file, line: line)
    }

    func testPredictWithValues() throws {
        let (cfg, warnings) = try resolve("pose predict model=yolov8n-pose.pt conf=0.5 imgsz=320,480 show source=a.jpg")
        XCTAssertEqual(cfg.task, "pose")
        XCTAssertEqual(cfg.mode, "predict")
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(cfg.double("conf"), 0.5)
        XCTAssertEqual(cfg.intList("imgsz"), [320, 480])
        XCTAssertTrue(cfg.bool("show"))
        XCTAssertEqual(cfg.string("source"), "a.jpg")
        XCTAssertEqual(cfg.int("max_det"), 300)          // default
        XCTAssertEqual(cfg.double("iou"), 0.7)
        XCTAssertNil(cfg.string("device"))
        XCTAssertEqual(cfg.keyOrder, ["model", "conf", "imgsz", "show", "source"])
    }

    func testJoiningFragments() throws {
        XCTAssertEqual(try CLITokens.merge(["imgsz", "=", "640", "conf=", "0.5", "iou", "=0.6", "x=[1,", "2,", "3]"]),
                       ["imgsz=640", "conf=0.5", "iou=0.6", "x=[1,2,3]"])
        let (cfg, _) = try resolve("predict imgsz = [480, 640] model=m-pose.pt")
        XCTAssertEqual(cfg.intList("imgsz"), [480, 640])
        assertError("predict imgsz=[640,", "'imgsz=[640,' has an unmatched '[' or ']' bracket.")
    }

    func testDashesCommasAndDeprecatedKeys() throws {
        // A bare deprecated word (hide_conf) only warns, at once, as in the reference; hide_labels=1 is mapped.
        let (cfg, warnings) = try resolve("predict --conf=0.5 show, boxes=False hide_conf hide_labels=1 line_thickness=3 half model=x-pose.pt")
        XCTAssertEqual(warnings, [
            "argument '--conf=0.5' does not require leading dashes '--', updating to 'conf=0.5'.",
            "argument 'show,' does not require trailing comma ',', updating to 'show'.",
            "'hide_conf' is deprecated and will be removed in the future. Use 'show_conf' instead.",
            "'half' is deprecated and will be removed in the future. Use 'quantize' instead.",
            "'boxes' is deprecated and will be removed in the future. Use 'show_boxes' instead.",
            "'hide_labels' is deprecated and will be removed in the future. Use 'show_labels' instead.",
            "'line_thickness' is deprecated and will be removed in the future. Use 'line_width' instead.",
        ])
        XCTAssertEqual(cfg.value("show_boxes"), .bool(false))
        XCTAssertEqual(cfg.value("show_labels"), .bool(false))
        XCTAssertEqual(cfg.value("show_conf"), .bool(true))
        XCTAssertFalse(cfg.isSet("show_conf"))
        XCTAssertEqual(cfg.int("line_width"), 3)
        XCTAssertEqual(cfg.value("quantize"), .int(16))
        XCTAssertEqual(cfg.double("conf"), 0.5)
        XCTAssertTrue(cfg.bool("show"))
        let (e2e, w2) = try resolve("predict end2end=True model=x-pose.pt")
        XCTAssertEqual(e2e.value("nms"), .bool(false))
        XCTAssertEqual(w2, ["'end2end=True' is deprecated and will be removed in the future. Use 'nms=False' instead."])
    }

    func testNameAndProjectAreVerbatim() throws {
        let (cfg, _) = try resolve("predict name=007 project=1e3 model=a-pose.pt")
        XCTAssertEqual(cfg.value("name"), .string("007"))
        XCTAssertEqual(cfg.value("project"), .string("1e3"))
    }

    func testModeAndModelDefaults() throws {
        let (cfg, warnings) = try resolve("conf=0.3")
        XCTAssertEqual(cfg.mode, "train")
        XCTAssertEqual(cfg.task, "pose")
        XCTAssertEqual(cfg.string("model"), "yolov8n-pose.pt")
        XCTAssertEqual(cfg.string("data"), "coco8-pose.yaml")
        XCTAssertEqual(warnings, [
            "'mode' argument is missing. Valid modes are ['train', 'val', 'predict', 'export', 'track', 'benchmark']. Using default 'mode=train'.",
            "'model' argument is missing. Using default 'model=yolov8n-pose.pt'.",
            "'data' argument is missing. Using default 'data=coco8-pose.yaml'.",
        ])
        let (export, exportWarnings) = try resolve("export model=best.pt")
        XCTAssertEqual(export.string("format"), "torchscript")
        XCTAssertEqual(export.taskSource, .assumed)
        XCTAssertEqual(exportWarnings, ["'format' argument is missing. Using default 'format=torchscript'."])
    }

    func testTaskResolution() throws {
        let (a, _) = try resolve("predict model=runs/pose/train/weights/best.pt")
        XCTAssertEqual(a.task, "pose")
        XCTAssertEqual(a.taskSource, .modelName)
        let (b, warnings) = try resolve("detect predict model=yolov8s-pose.pt")
        XCTAssertEqual(b.task, "pose")
        XCTAssertEqual(warnings, ["conflicting 'task=detect' passed with 'task=pose' model. Ignoring 'task=detect' and updating to 'task=pose' to match model."])
        let (c, _) = try resolve("pose val")
        XCTAssertEqual(c.string("model"), "yolov8n-pose.pt")
        var d = try resolve("pose predict model=custom.pt").0
        XCTAssertEqual(d.taskSource, .explicit)
        var w: [String] = []
        d.reconcileTask(modelTask: "detect") { w.append($0) }
        XCTAssertEqual(d.task, "detect")
        XCTAssertEqual(w.count, 1)
        assertError("task=foo predict", "Invalid 'task=foo'. Valid tasks are ['detect', 'segment', 'semantic', 'depth', 'classify', 'pose', 'obb'].")
        assertError("mode=foo", "Invalid 'mode=foo'. Valid modes are ['train', 'val', 'predict', 'export', 'track', 'benchmark'].")
    }

    func testGrammarErrors() {
        assertError("posee", "'posee' is not a valid YOLO argument. Similar arguments are i.e. ['pose', 'seed=0', 'plots=True'].")
        assertError("predict confidence=0.5", "'confidence' is not a valid YOLO argument.")
        assertError("predict foo=1 bar=2", "'foo' is not a valid YOLO argument. 'bar' is not a valid YOLO argument. Similar arguments are i.e. ['bgr=0.0'].")
        assertError("imgsz", "'imgsz' is a valid YOLO argument but is missing an '=' sign to set its value, i.e. try 'imgsz=640'")
        assertError("predict model", "'model' is a valid YOLO argument but is missing an '=' sign to set its value, i.e. try 'model=None'")
        assertError("predict imgsz=", "'imgsz=' is not a valid YOLO argument. Similar arguments are i.e. ['imgsz=640'].")
        XCTAssertTrue(error(["posee"])?.showsHelp ?? false)
    }

    func testValueChecks() {
        assertError("predict conf=2", "'conf=2' is an invalid value. Valid 'conf' values are between 0.0 and 1.0.")
        assertError("predict save=1", "'save=1' is of invalid type int. 'save' must be a bool (i.e. 'save=True' or 'save=False')")
        assertError("predict max_det=0", "'max_det=0' is an invalid value. 'max_det' must be >= 1.")
        assertError("predict vid_stride=0", "'vid_stride=0' is an invalid value. 'vid_stride' must be >= 1.")
        assertError("predict iou=none", "'iou=None' is invalid. 'iou' must not be None.")
        assertError("train epochs=1.5", "'epochs=1.5' is of invalid type float. 'epochs' must be an int (i.e. 'epochs=8')")
        assertError("train box=abc", "'box=abc' is of invalid type str. Valid 'box' types are int (i.e. 'box=0') or float (i.e. 'box=0.5')")
        assertError("train optimizer=1", "'optimizer=1' is of invalid type int. 'optimizer' must be a str.")
        assertError("train fraction=0", "'fraction=0' invalid. Use integer count >1 or ratio (0, 1] for fraction.")
        // Reported in default-config order, not command-line order: save comes before conf.
        assertError("predict conf=2 save=1", "'save=1' is of invalid type int. 'save' must be a bool (i.e. 'save=True' or 'save=False')")
    }

    func testIntegralFloatsAndQuantizeAreCanonicalized() throws {
        let (cfg, _) = try resolve("val epochs=1e2 quantize=fp16 model=a-pose.pt fraction=1")
        XCTAssertEqual(cfg.value("epochs"), .int(100))
        XCTAssertEqual(cfg.value("quantize"), .int(16))
        XCTAssertEqual(cfg.value("fraction"), .double(1))
    }

    func testSpecialCommandsAndAliases() throws {
        for (word, command) in [("help", "help"), ("-h", "help"), ("--help", "help"), ("v", "version"), ("-v", "version"),
                                ("VERSION", "version"), ("check", "checks"), ("c", "copy-cfg"), ("cfg", "cfg"),
                                ("setting", "settings"), ("s", "solutions"), ("l", "logout")] {
            XCTAssertEqual(try CLIParser.parse(["predict", word]) { _ in }, .special(command, arguments: [word]), word)
        }
        XCTAssertEqual(try CLIParser.parse([]), .usage)
        guard case .run(let parsed) = try CLIParser.parse(["pose", "info", "model=x.pt"]) else { return XCTFail() }
        XCTAssertTrue(parsed.info)
        XCTAssertEqual(try CLIConfig.resolve(parsed) { _ in }.mode, "info")
    }

    func testConfigFileOverrides() throws {
        let path = NSTemporaryDirectory() + "cli-\(UUID().uuidString).yaml"
        try "conf: 0.3\nimgsz: 320\nshow: true\ncfg: ignored.yaml\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (cfg, _) = try resolve("predict conf=0.6 cfg=\(path) imgsz=640 model=a-pose.pt")
        XCTAssertEqual(cfg.double("conf"), 0.6)      // before cfg= wins
        XCTAssertEqual(cfg.int("imgsz"), 640)        // after cfg= wins
        XCTAssertTrue(cfg.bool("show"))              // from the file
        assertError("predict cfg=/nonexistent/x.yaml", "'/nonexistent/x.yaml' does not exist")
    }

    func testDefaultConfigTable() {
        XCTAssertEqual(DefaultConfig.entries.count, 113)
        XCTAssertEqual(DefaultConfig.keys.prefix(4), ["task", "mode", "model", "data"])
        XCTAssertEqual(DefaultConfig.keys.last, "tracker")
        XCTAssertTrue(DefaultConfig.yaml.hasPrefix("task: detect\nmode: train\nmodel: null\ndata: null\nepochs: 100\n"))
        XCTAssertTrue(DefaultConfig.yaml.contains("\nweight_decay: 0.0005\n"))
    }
}
