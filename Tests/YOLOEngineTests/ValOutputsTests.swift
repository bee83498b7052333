import Foundation
import XCTest
import YOLOData
@testable import YOLOEngine
import YOLOModel
import YOLONN
import YOLOTensor
import YOLOTestSupport

/// `yolo pose val save_json=True save_txt=True` output and custom-keypoint metrics against Ultralytics 8.4.190.
/// Reference: Tests/Fixtures/val_outputs/, made by Scripts/reference/make_val_output_fixtures.py.
final class ValOutputsTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    /// A fresh temporary folder removed after the test.
    func tempDir(_ prefix: String) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func coco8YAML() throws -> String {
        try Fixtures.writeCoco8PoseYAML(in: tempDir("valout"))
    }

    /// Runs the overfit model on coco8-pose val (640, batch 16) writing into a new folder; returns that folder.
    func runOverfit(json: Bool, txt: Bool, conf: Bool) throws -> URL {
        let out = try tempDir("valout-run")
        var o = ValOptions()
        o.imgsz = 640
        o.batch = 16
        o.verbose = false
        o.saveJSON = json
        o.saveTxt = txt
        o.saveConf = conf
        o.saveDir = out
        let data = try DataConfig.load(try coco8YAML())
        let v = try Validator(model: try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt")), data: data, options: o)
        var lines: [String] = []
        v.log = { lines.append($0) }
        _ = try v.run()
        if json {
            XCTAssertEqual(lines, ["Saving \(out.appendingPathComponent("predictions.json").path)...",
                                   "Results saved to \u{1b}[1m\(out.path)\u{1b}[0m"])
        }
        return out
    }

    static func loadJSON(_ url: URL) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
    }

    // MARK: save_json

    func testSaveJSONMatchesReference() throws {
        let out = try runOverfit(json: true, txt: false, conf: false)
        let url = out.appendingPathComponent("predictions.json")
        let ours = try Self.loadJSON(url)
        let ref = try Self.loadJSON(Fixtures.url("val_outputs/predictions.json"))
        XCTAssertEqual(ours.count, ref.count, "record count")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("labels").path))
        var worst = (bbox: 0.0, score: 0.0, kxy: 0.0, kconf: 0.0)
        for (i, (a, b)) in zip(ours, ref).enumerated() {
            XCTAssertEqual(Array(a.keys).sorted(), Array(b.keys).sorted(), "record \(i) keys")
            XCTAssertEqual(a["image_id"] as? Int, b["image_id"] as? Int, "record \(i) image_id")
            XCTAssertEqual(a["file_name"] as? String, b["file_name"] as? String, "record \(i) file_name")
            XCTAssertEqual(a["category_id"] as? Int, b["category_id"] as? Int, "record \(i) category_id")
            let (ba, bb) = (a["bbox"] as! [Double], b["bbox"] as! [Double])
            XCTAssertEqual(ba.count, 4)
            for j in 0..<4 { worst.bbox = max(worst.bbox, abs(ba[j] - bb[j])) }
            worst.score = max(worst.score, abs((a["score"] as! Double) - (b["score"] as! Double)))
            let (ka, kb) = (a["keypoints"] as! [Double], b["keypoints"] as! [Double])
            XCTAssertEqual(ka.count, 51, "record \(i) keypoints")
            for j in 0..<min(ka.count, kb.count) {
                if j % 3 == 2 { worst.kconf = max(worst.kconf, abs(ka[j] - kb[j])) }
                else { worst.kxy = max(worst.kxy, abs(ka[j] - kb[j])) }
            }
        }
        // Measured: bbox 0.001 (one rounding step, 14 of 2664 values), score 0, keypoints 7.7e-5 px, conf 5.4e-7.
        XCTAssertLessThanOrEqual(worst.bbox, 0.01, "bbox")
        XCTAssertLessThanOrEqual(worst.score, 1e-3, "score")
        XCTAssertLessThanOrEqual(worst.kxy, 0.5, "keypoint x/y")
        XCTAssertLessThanOrEqual(worst.kconf, 1e-3, "keypoint confidence")
        // The text layout of json.dump: ", " / ": " separators, key order, repr floats.
        let text = try String(contentsOf: url, encoding: .utf8)
        let refText = try String(contentsOf: Fixtures.url("val_outputs/predictions.json"), encoding: .utf8)
        let head = "[{\"image_id\": 136, \"file_name\": \"000000000136.jpg\", \"category_id\": 1, \"bbox\": ["
        XCTAssertTrue(text.hasPrefix(head), String(text.prefix(120)))
        XCTAssertTrue(refText.hasPrefix(head))
        XCTAssertTrue(text.hasSuffix("]}]"))
        XCTAssertEqual(text.components(separatedBy: "}, {").count, refText.components(separatedBy: "}, {").count)
    }

    func testJSONFormatting() {
        XCTAssertEqual(pythonRound(4.1425, 3), 4.143)   // Python: binary value above the tie
        XCTAssertEqual(pythonRound(2.675, 2), 2.67)     // Python: binary value below the tie
        XCTAssertEqual(pythonRound(0.96761234, 5), 0.96761)
        XCTAssertEqual(pythonFloatRepr(4.143), "4.143")
        XCTAssertEqual(pythonFloatRepr(0.0), "0.0")
        XCTAssertEqual(pythonFloatRepr(640), "640.0")
        XCTAssertEqual(pythonFloatRepr(5e-05), "5e-05")
        XCTAssertEqual(pythonFloatRepr(1.5e-07), "1.5e-07")
        XCTAssertEqual(pythonFloatRepr(Double(Float(82.20138549804688))), "82.20138549804688")
        XCTAssertEqual(pythonJSONString("a\"b\\é"), "\"a\\\"b\\\\\\u00e9\"")
        let r = Results(path: "/x/000000000136.jpg", origShape: (100, 200), inputShape: (128, 224), names: [0: "a"],
                        boxes: Boxes(xyxy: [SIMD4(10, 20, 30.5, 60)], conf: [0.123456], cls: [1], origShape: (100, 200)),
                        keypoints: nil, speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
        let rec = Validator.jsonRecords(r, file: URL(fileURLWithPath: "/x/000000000136.jpg"))
        XCTAssertEqual(rec.first?.pythonJSON,
                       "{\"image_id\": 136, \"file_name\": \"000000000136.jpg\", \"category_id\": 2, \"bbox\": [10.0, 20.0, 20.5, 40.0], \"score\": 0.12346}")
        let named = Validator.jsonRecords(r, file: URL(fileURLWithPath: "/x/img_1.png"))
        XCTAssertEqual(named.first?.imageID, .string("img_1"))
        XCTAssertEqual(Validator.jsonRecords(r, file: URL(fileURLWithPath: "/x/000.jpg")).first?.imageID, .int("0"))
    }

    // MARK: save_txt

    /// Compares label files: same names, line counts, classes; numbers within `tol` (normalised), the optional
    /// trailing confidence within 1e-3. With `dropConf` the reference lines (written with save_conf) lose their
    /// last field first.
    func compareLabels(_ dir: URL, dropConf: Bool) throws {
        let refDir = Fixtures.url("val_outputs/labels")
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, try fm.contentsOfDirectory(atPath: refDir.path).sorted())
        var worst: Double = 0
        for name in names {
            let a = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            let b = try String(contentsOf: refDir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(a.count, b.count, name)
            for (la, lb) in zip(a, b) {
                let fa = la.split(separator: " ")
                var fb = lb.split(separator: " ")
                if dropConf { fb.removeLast() }
                XCTAssertEqual(fa.count, fb.count, name)
                XCTAssertEqual(fa.first, fb.first, "\(name) class")
                for (x, y) in zip(fa.dropFirst(), fb.dropFirst()) { worst = max(worst, abs(Double(x)! - Double(y)!)) }
            }
        }
        // Measured: 1e-6 (last %g digit) on a few values.
        XCTAssertLessThanOrEqual(worst, 1e-4, "normalised coordinate / confidence")
    }

    func testSaveTxtWithConfMatchesReference() throws {
        let out = try runOverfit(json: false, txt: true, conf: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("predictions.json").path))
        try compareLabels(out.appendingPathComponent("labels"), dropConf: false)
    }

    func testSaveTxtWithoutConfAndJSON() throws {
        let out = try runOverfit(json: true, txt: true, conf: false)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("predictions.json").path))
        try compareLabels(out.appendingPathComponent("labels"), dropConf: true)
    }

    func testLabelNamesBelowCommonFolder() throws {
        let files = ["/d/images/a/1.jpg", "/d/images/b/1.jpg", "/d/images/b/c/2.x.png"].map { URL(fileURLWithPath: $0) }
        XCTAssertEqual(ValOutputWriter.commonDirectory(files), ["/", "d", "images"])
        var o = ValOptions()
        o.saveTxt = true
        let dir = try tempDir("valout-names")
        o.saveDir = dir
        // A stale label file from an earlier run is removed, other files are kept.
        let labels = dir.appendingPathComponent("labels")
        try FileManager.default.createDirectory(at: labels, withIntermediateDirectories: true)
        try "x\n".write(to: labels.appendingPathComponent("old.txt"), atomically: true, encoding: .utf8)
        try "x\n".write(to: labels.appendingPathComponent("keep.json"), atomically: true, encoding: .utf8)
        let w = try XCTUnwrap(try ValOutputWriter(options: o, imageFiles: files))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: labels.path), ["keep.json"])
        XCTAssertEqual(files.map { w.labelURL(for: $0).lastPathComponent }, ["a_1.txt", "b_1.txt", "b_c_2.x.txt"])
        XCTAssertNil(try ValOutputWriter(options: ValOptions(), imageFiles: files))
    }

    // MARK: custom keypoints (coco8-kpt5)

    /// coco8-kpt5: the shared coco8-pose val images (symlinked) with the committed 5-keypoint labels.
    func kpt5YAML(_ ref: [String: Any]) throws -> String {
        let root = try tempDir("coco8-kpt5")
        let fm = FileManager.default
        let images = root.appendingPathComponent("images/val"), labels = root.appendingPathComponent("labels/val")
        try fm.createDirectory(at: images, withIntermediateDirectories: true)
        try fm.createDirectory(at: labels, withIntermediateDirectories: true)
        let src = Fixtures.coco8Pose.appendingPathComponent("images/val")
        for name in try fm.contentsOfDirectory(atPath: src.path) {
            try fm.createSymbolicLink(at: images.appendingPathComponent(name), withDestinationURL: src.appendingPathComponent(name))
        }
        let lab = Fixtures.url("val_outputs/coco8-kpt5/labels/val")
        for name in try fm.contentsOfDirectory(atPath: lab.path) {
            try fm.copyItem(at: lab.appendingPathComponent(name), to: labels.appendingPathComponent(name))
        }
        let cfg = ref["config"] as! [String: Any]
        let sigmas = (cfg["kpt_oks_sigmas"] as! [Double]).map { String($0) }.joined(separator: ", ")
        let yaml = root.appendingPathComponent("coco8-kpt5.yaml")
        try """
            path: \(root.path)
            train: images/val
            val: images/val
            kpt_shape: [5, 3]
            flip_idx: [0, 2, 1, 4, 3]
            names:
              0: person
              1: other
            kpt_oks_sigmas: [\(sigmas)]

            """.write(to: yaml, atomically: true, encoding: .utf8)
        return yaml.path
    }

    func checkKpt5(_ imgsz: Int) throws {
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("val_outputs/kpt5_metrics.json"))) as! [String: Any]
        let run = ref[String(imgsz)] as! [String: Any]
        let data = try DataConfig.load(try kpt5YAML(ref))
        XCTAssertEqual(data.kptShape, [5, 3])
        var o = ValOptions()
        o.imgsz = imgsz
        o.batch = 16
        o.verbose = false
        o.saveJSON = true
        o.saveDir = try tempDir("k5-out")
        let v = try Validator(model: try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt")), data: data, options: o)
        v.log = { _ in }
        let metrics = try v.run()
        let expected = run["results_dict"] as! [String: Double]
        for key in PoseMetrics.keys {
            XCTAssertEqual(metrics.resultsDict[key]!, expected[key]!, accuracy: 1e-3, "k5-\(imgsz) \(key)")
        }
        XCTAssertEqual(metrics.images, 4)
        XCTAssertEqual(metrics.instances, (run["nt_per_class"] as! [Int]).reduce(0, +))
        let preds = try Self.loadJSON(o.saveDir!.appendingPathComponent("predictions.json"))
        XCTAssertEqual(preds.count, run["n_pred"] as! Int, "prediction count")
        XCTAssertEqual((preds.first?["keypoints"] as? [Double])?.count, 15)
        let maxScore = preds.compactMap { $0["score"] as? Double }.max() ?? 0
        XCTAssertEqual(maxScore, run["max_score"] as! Double, accuracy: 1e-3, "max score")
    }

    /// A validator warms its network up at imgsz before the first batch, as a predictor does: our kernels' primitives
    /// (the blocked layout, where they run, forced) exist for the square input once it is made.
    func testValidatorWarmsUpAtImgsz() throws {
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"))
        var o = ValOptions()
        o.imgsz = 320
        o.verbose = false
        let data = try DataConfig.load(Fixtures.writeCoco8PoseYAML(in: tempDir("warmup")))
        try withConvLayout(.blocked) { _ = try Validator(model: net, data: data, options: o) }
        let sides = ownKernelInputSides(net.namedModules().compactMap { $0.1 as? Conv2d }.flatMap(\.cache.primitives))
        XCTAssertTrue(sides.contains([80, 80]), "primitives of the stride-4 layers for 320×320: \(sides)")
    }

    func testCustomKeypoints320() throws { try checkKpt5(320) }
    func testCustomKeypoints640() throws { try checkKpt5(640) }
}
