import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOModel
import YOLONN
import YOLOTensor
import YOLOTestSupport

/// Folder runs: sources, skipping unreadable images, output folders and label files.
final class PredictRunTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func tempDir() throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testCorruptImageIsReportedAndSkipped() throws {
        let dir = try tempDir()
        let val = Fixtures.coco8Pose.appendingPathComponent("images/val")
        for name in ["000000000110.jpg", "000000000113.jpg"] {
            try FileManager.default.copyItem(at: val.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let good = try Data(contentsOf: dir.appendingPathComponent("000000000110.jpg"))
        try good.prefix(good.count / 3).write(to: dir.appendingPathComponent("000000000111-truncated.jpg"))
        try Data("not an image".utf8).write(to: dir.appendingPathComponent("000000000112-text.png"))
        var o = PredictOptions()
        o.imgsz = [320]
        o.verbose = false
        let predictor = try Predictor(model: try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt")), options: o)
        var seen: [String] = []
        let run = try predictor.run(source: dir.path) { seen.append(($0.path as NSString).lastPathComponent) }
        XCTAssertEqual(seen, ["000000000110.jpg", "000000000113.jpg"])
        XCTAssertEqual(run.skipped.map { ($0 as NSString).lastPathComponent }, ["000000000111-truncated.jpg", "000000000112-text.png"])
    }

    /// A predictor warms its network up at its imgsz before the first image (the reference's `warmup`): our kernels'
    /// primitives exist for that size when the predictor is made (the blocked layout, where they run, forced).
    func testPredictorWarmsUpAtImgsz() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        var o = PredictOptions()
        o.imgsz = [256, 320]
        try withConvLayout(.blocked) { _ = try Predictor(model: net, options: o) }
        let sides = ownKernelInputSides(net.namedModules().compactMap { $0.1 as? Conv2d }.flatMap(\.cache.primitives))
        XCTAssertTrue(sides.contains([64, 80]), "primitives of the stride-4 layers for 256×320: \(sides)")
    }

    /// With `quantize=16` where our bf16 1×1 kernel runs, the warmup also makes those layers' primitives at imgsz with
    /// their weights prepared, and nothing that generates code (no oneDNN primitive before the first image's shape).
    func testPredictorWarmsUpBF16Conv1x1() throws {
        try XCTSkipUnless(ConvPrecision.isBF16Supported, "no native bf16 on this CPU (AVX512_BF16 or AMX)")
        defer { ConvPrecision.overrideOwnBF16Conv1x1(nil) }
        ConvPrecision.overrideOwnBF16Conv1x1(true)
        let net = try YOLONetwork.load(Fixtures.path("trained-n-pose.pt"))
        var o = PredictOptions()
        o.imgsz = [256, 320]
        o.precision = .bfloat16
        _ = try Predictor(model: net, options: o)
        let convs = net.namedModules().compactMap { $0.1 as? Conv2d }
        let kernels = convs.flatMap(\.cache.primitives)
        let own = convs.filter { $0.cache.primitives.contains(where: \.isConv1x1BF16) }
        XCTAssertEqual(own.count, 18, "the backbone's and neck's 1×1 layers")
        XCTAssertTrue(own.allSatisfy { $0.cache.hasPreparedPrimitives(weight: $0.weight) }, "weights prepared")
        XCTAssertTrue(ownKernelInputSides(kernels).contains([64, 80]), "the stride-4 C2f's 1×1 layers at 256×320")
        let generated = kernels.filter { !($0.isConv1x1BF16 || $0.isWinograd || $0.isConv1x1) }.map(\.implementation)
        XCTAssertEqual(generated, [], "primitives that generate code before the first image")
    }

    func testSwiftAPIMatchesPredictor() throws {
        let net = try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt"))
        let val = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        let results = try net.predict(val, conf: 0.25, imgsz: [640])
        XCTAssertEqual(results.map { ($0.path as NSString).lastPathComponent },
                       ["000000000110.jpg", "000000000113.jpg", "000000000136.jpg", "000000000151.jpg"])
        // Counts from Tests/Fixtures/predict/predictions.json (overfit-n-pose, 640, conf 0.25).
        XCTAssertEqual(results.map(\.count), [14, 15, 12, 0])
        XCTAssertEqual(results[0].names, [0: "person"])
        let image = try ImageIO.read(URL(fileURLWithPath: val + "/000000000110.jpg"))
        var o = PredictOptions()
        o.imgsz = [640]
        XCTAssertEqual(try net.predict(image, options: o).boxes.conf, results[0].boxes.conf)
        // A side above the limit is refused before any buffer is sized from it (Int.max would overflow the rounding).
        for side in [Predictor.maxImgsz + 1, Int.max] {
            o.imgsz = [side]
            XCTAssertThrowsError(try net.predict(image, options: o)) { error in
                XCTAssertTrue("\(error)".contains("exceeds the limit of 8192 per side"), "\(error)")
            }
        }
    }

    func testMissingSourceIsAnError() throws {
        XCTAssertThrowsError(try PredictSource.resolve("/nonexistent/images")) { e in
            XCTAssertEqual("\(e)", "source '/nonexistent/images' does not exist")
        }
        let empty = try tempDir()
        XCTAssertThrowsError(try PredictSource.resolve(empty.path)) { e in
            XCTAssertTrue("\(e)".hasPrefix("no images or videos found in '\(empty.path)'"), "\(e)")
        }
    }

    func testSourceKinds() throws {
        let dir = try tempDir()
        for n in ["b.jpg", "a.png", "c.mp4", "notes.txt.bak", "sub/d.jpg"] {
            let u = dir.appendingPathComponent(n)
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: u)
        }
        // Directory: sorted, images first then videos; no recursion.
        XCTAssertEqual(try PredictSource.resolve(dir.path).map { ($0 as NSString).lastPathComponent }, ["a.png", "b.jpg", "c.mp4"])
        // Glob with ** recursion.
        XCTAssertEqual(try PredictSource.resolve(dir.path + "/**/*.jpg").map { ($0 as NSString).lastPathComponent }, ["b.jpg", "d.jpg"])
        // A .txt list, relative to the list's folder.
        try "b.jpg\nsub/d.jpg\n".write(to: dir.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try PredictSource.resolve(dir.path + "/list.txt"), [dir.path + "/b.jpg", dir.path + "/sub/d.jpg"])
    }

    func testSaveDirectoriesIncrement() throws {
        let runs = try tempDir().path
        let first = SaveDirectory.make(task: "pose", mode: "predict", project: nil, name: nil, existOk: false, runsDir: runs)
        XCTAssertEqual(first.path, runs + "/pose/predict")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let second = SaveDirectory.make(task: "pose", mode: "predict", project: nil, name: nil, existOk: false, runsDir: runs)
        XCTAssertEqual(second.lastPathComponent, "predict-2")
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        XCTAssertEqual(SaveDirectory.make(task: "pose", mode: "predict", project: nil, name: nil, existOk: false, runsDir: runs).lastPathComponent, "predict-3")
        XCTAssertEqual(SaveDirectory.make(task: "pose", mode: "predict", project: nil, name: nil, existOk: true, runsDir: runs).path, first.path)
        XCTAssertEqual(SaveDirectory.make(task: "pose", mode: "predict", project: "/abs/proj", name: "exp", existOk: true, runsDir: runs).path, "/abs/proj/exp")
    }

    func testTxtFormatting() {
        let r = Results(path: "x.jpg", origShape: (100, 200), inputShape: (320, 640), names: [0: "person"],
                        boxes: Boxes(xyxy: [SIMD4(0, 0, 100, 50)], conf: [0.87654], cls: [0], origShape: (100, 200)),
                        keypoints: Keypoints(data: [[[20, 10, 0.5], [0.001, 0.00002, 0.123456789]]], origShape: (100, 200), dims: 3),
                        speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
        // %g: 6 significant digits, exponent form below 1e-4.
        XCTAssertEqual(r.txtLines(), ["0 0.25 0.25 0.5 0.5 0.1 0.1 0.5 5e-06 2e-07 0.123457"])
        XCTAssertEqual(r.txtLines(saveConf: true), ["0 0.25 0.25 0.5 0.5 0.1 0.1 0.5 5e-06 2e-07 0.123457 0.87654"])
        XCTAssertEqual(r.verbose(), "1 person, ")
    }
}
