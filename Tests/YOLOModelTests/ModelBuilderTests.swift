import Foundation
import XCTest
import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// Networks built from model definitions against Ultralytics 8.4.190 (`Tests/Fixtures/model-summaries.json`):
/// ordered state-dict keys and shapes, parameter counts, strides and save lists, before and after `fuse()`.
final class ModelBuilderTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    struct Summary {
        let name: String
        let parameters: Int
        let fusedParameters: Int
        let stateDict: [(String, [Int])]
        let fusedStateDict: [(String, [Int])]
        let stride: [Float]
        let save: [Int]
        let nc: Int
        let kptShape: [Int]?
    }

    static let summaries: [Summary] = {
        guard let data = try? Data(contentsOf: Fixtures.url("model-summaries.json")),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        func entries(_ any: Any?) -> [(String, [Int])] {
            ((any as? [[Any]]) ?? []).map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) }
        }
        return list.map { e in
            Summary(name: e["name"] as! String, parameters: (e["parameters"] as! NSNumber).intValue,
                    fusedParameters: (e["fused_parameters"] as! NSNumber).intValue,
                    stateDict: entries(e["state_dict"]), fusedStateDict: entries(e["fused_state_dict"]),
                    stride: (e["stride"] as! [NSNumber]).map(\.floatValue),
                    save: (e["save"] as! [NSNumber]).map(\.intValue),
                    nc: (e["nc"] as! NSNumber).intValue,
                    kptShape: (e["kpt_shape"] as? [NSNumber])?.map(\.intValue))
        }
    }()

    func summary(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Summary {
        try XCTUnwrap(Self.summaries.first { $0.name == name }, "no entry '\(name)' in model-summaries.json",
                      file: file, line: line)
    }

    /// The config for a summary entry: built-in names, test YAMLs in Tests/Fixtures, or the nc/kpt override.
    func config(for s: Summary) throws -> ModelConfig {
        if s.name.hasPrefix("tiny") { return try ModelConfig.load(Fixtures.path(s.name)) }
        if s.name.contains(" ") {            // "yolov8n-pose.yaml nc=3 kpt_shape=[21, 3]"
            var c = try ModelConfig.load(String(s.name.split(separator: " ")[0]))
            c.nc = s.nc
            c.kptShape = s.kptShape
            return c
        }
        return try ModelConfig.load(s.name)
    }

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try summary(name, file: file, line: line)
        let net = try YOLONetwork(config: try config(for: s))
        XCTAssertEqual(net.nc, s.nc, "\(name): nc", file: file, line: line)
        XCTAssertEqual(net.kptShape, s.kptShape, "\(name): kpt_shape", file: file, line: line)
        compare(net.stateDict().map { ($0.0, $0.1.shape) }, s.stateDict, "\(name) state_dict", file: file, line: line)
        XCTAssertEqual(net.parameterCount, s.parameters, "\(name): parameter count", file: file, line: line)
        // The reference count is model.parameters(): BN running statistics excluded, DFL weight included.
        let params = net.allParameters()
        XCTAssertTrue(params.contains { $0.0.hasSuffix("dfl.conv.weight") } == (net.config.regMax > 1),
                      "\(name): DFL weight among the parameters", file: file, line: line)
        XCTAssertFalse(params.contains { $0.0.contains("running_") || $0.0.hasSuffix("num_batches_tracked") },
                       "\(name): buffers among the parameters", file: file, line: line)
        XCTAssertEqual(net.stride, s.stride, "\(name): stride", file: file, line: line)
        XCTAssertEqual(net.save.sorted(), s.save, "\(name): save list", file: file, line: line)

        net.fuse()
        XCTAssertTrue(net.isFused, file: file, line: line)
        compare(net.stateDict().map { ($0.0, $0.1.shape) }, s.fusedStateDict, "\(name) fused state_dict",
                file: file, line: line)
        XCTAssertEqual(net.parameterCount, s.fusedParameters, "\(name): fused parameter count", file: file, line: line)
    }

    /// Ordered key list and every shape; reports the first difference.
    func compare(_ mine: [(String, [Int])], _ ref: [(String, [Int])], _ label: String,
                 file: StaticString, line: UInt) {
        XCTAssertEqual(mine.count, ref.count, "\(label): key count", file: file, line: line)
        if let i = (0..<min(mine.count, ref.count)).first(where: { mine[$0].0 != ref[$0].0 }) {
            XCTFail("\(label): key \(i) is '\(mine[i].0)', expected '\(ref[i].0)'", file: file, line: line)
            let missing = Set(ref.map(\.0)).subtracting(mine.map(\.0)), extra = Set(mine.map(\.0)).subtracting(ref.map(\.0))
            if !missing.isEmpty { XCTFail("\(label): missing \(missing.sorted().prefix(8))", file: file, line: line) }
            if !extra.isEmpty { XCTFail("\(label): unexpected \(extra.sorted().prefix(8))", file: file, line: line) }
            return
        }
        for (m, r) in zip(mine, ref) where m.1 != r.1 {
            XCTFail("\(label): \(m.0) has shape \(m.1), expected \(r.1)", file: file, line: line)
            return
        }
    }

    func testSummaryFixtureLoaded() {
        XCTAssertEqual(Self.summaries.count, 10)
    }

    func testYolov8nPose() throws { try check("yolov8n-pose.yaml") }
    func testYolov8sPose() throws { try check("yolov8s-pose.yaml") }
    func testYolov8mPose() throws { try check("yolov8m-pose.yaml") }
    func testYolov8nPoseP6() throws { try check("yolov8n-pose-p6.yaml") }
    func testYolov8sPoseP6() throws { try check("yolov8s-pose-p6.yaml") }
    func testCustomClassesAndKeypoints() throws { try check("yolov8n-pose.yaml nc=3 kpt_shape=[21, 3]") }
    func testTinyPose() throws { try check("tiny-pose.yaml") }
    func testTinyK12D2Pose() throws { try check("tiny-k12d2-pose.yaml") }

    /// l and x allocate 44M and 69M parameters; building, initialising and fusing them takes ~11 s and ~21 s in a
    /// debug build (the rest of this file ~20 s). They always run in release builds (`swift test -c release`);
    /// in debug builds only with YOLO_TEST_LARGE_MODELS=1. Their layouts differ from m only in width/depth/max_channels.
    func skipLargeInDebug() throws {
        #if DEBUG
        try XCTSkipUnless(ProcessInfo.processInfo.environment["YOLO_TEST_LARGE_MODELS"] == "1",
                          "yolov8l/x-pose take ~30 s in a debug build: run with -c release or YOLO_TEST_LARGE_MODELS=1")
        #endif
    }
    func testYolov8lPose() throws {
        try skipLargeInDebug()
        try check("yolov8l-pose.yaml")
    }
    func testYolov8xPose() throws {
        try skipLargeInDebug()
        try check("yolov8x-pose.yaml")
    }

    /// Every entry of the fixture is covered by one of the tests above.
    func testEveryEntryHasATest() {
        let covered: Set<String> = ["yolov8n-pose.yaml", "yolov8s-pose.yaml", "yolov8m-pose.yaml", "yolov8l-pose.yaml",
                                    "yolov8x-pose.yaml", "yolov8n-pose-p6.yaml", "yolov8s-pose-p6.yaml",
                                    "yolov8n-pose.yaml nc=3 kpt_shape=[21, 3]", "tiny-pose.yaml", "tiny-k12d2-pose.yaml"]
        for s in Self.summaries { XCTAssertTrue(covered.contains(s.name), "no test for \(s.name)") }
    }

    // MARK: - Names and scales

    func testScaleLetter() {
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolov8n-pose.yaml"), "n")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolov8s-pose.yaml"), "s")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolov8m.yaml"), "m")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolov8l-pose-p6.yaml"), "l")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "/some/dir/yolov8x-pose.yaml"), "x")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolov8n6-pose.yaml"), "n")
        XCTAssertEqual(ModelConfig.scaleLetter(in: "yolo11s-pose.yaml"), "s")
        XCTAssertNil(ModelConfig.scaleLetter(in: "yolov8-pose.yaml"))
        XCTAssertNil(ModelConfig.scaleLetter(in: "tiny-pose.yaml"))
        // Only the file name counts, not the directories.
        XCTAssertNil(ModelConfig.scaleLetter(in: "/yolov8n/model.yaml"))
    }

    func testUnifiedName() {
        XCTAssertEqual(ModelConfig.unifiedName("yolov8n-pose.yaml"), "yolov8-pose.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8x-pose.yaml"), "yolov8-pose.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8s-pose-p6.yaml"), "yolov8-pose-p6.yaml")
        // Ultralytics renames only the bare old P6 stems `yolov{5,8}{n,s,m,l,x}6` (yaml_model_load).
        XCTAssertEqual(ModelConfig.unifiedName("yolov8n6.yaml"), "yolov8-p6.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8x6.yaml"), "yolov8-p6.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8m.yaml"), "yolov8.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8-pose.yaml"), "yolov8-pose.yaml")
        XCTAssertEqual(ModelConfig.unifiedName("yolov8n-pose"), "yolov8-pose")
        XCTAssertEqual(ModelConfig.unifiedName("dir/yolov8l-pose.yaml"), "yolov8-pose.yaml")
    }

    func testBuiltInScalesResolve() throws {
        let expected: [String: (Double, Double, Int)] = [
            "n": (0.33, 0.25, 1024), "s": (0.33, 0.50, 1024), "m": (0.67, 0.75, 768),
            "l": (1.00, 1.00, 512), "x": (1.00, 1.25, 512),
        ]
        for (letter, e) in expected {
            let c = try ModelConfig.load("yolov8\(letter)-pose.yaml")
            XCTAssertEqual(c.scale, letter)
            XCTAssertEqual(c.depthMultiple, e.0, accuracy: 1e-9, letter)
            XCTAssertEqual(c.widthMultiple, e.1, accuracy: 1e-9, letter)
            XCTAssertEqual(c.maxChannels, e.2, letter)
            XCTAssertEqual(c.kptShape, [17, 3])
            XCTAssertEqual(c.nc, 1)
        }
        let tiny = try ModelConfig.load(Fixtures.path("tiny-pose.yaml"))
        XCTAssertNil(tiny.scale)
        XCTAssertEqual(tiny.widthMultiple, 0.125)
        XCTAssertEqual(tiny.nc, 2)
        XCTAssertEqual(tiny.kptShape, [5, 3])
    }

    func testUnknownBuiltInName() {
        XCTAssertThrowsError(try ModelConfig.load("yolov9n-nonexistent.yaml")) { error in
            guard let e = error as? ModelConfigError, case .notFound = e else {
                return XCTFail("expected ModelConfigError.notFound, got \(error)")
            }
            XCTAssertTrue(e.description.contains("yolov9n-nonexistent.yaml"), e.description)
        }
    }

    // MARK: - Errors

    func temporaryYAML(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolo-model-builder-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func tinyText() throws -> String { try String(contentsOfFile: Fixtures.path("tiny-pose.yaml"), encoding: .utf8) }

    func testUnknownModuleNamesFile() throws {
        let text = try tinyText().replacingOccurrences(of: "[-1, 1, SPPF, [1024, 5]]", with: "[-1, 1, Frobnicate, [1024, 5]]")
        XCTAssertTrue(text.contains("Frobnicate"))
        let path = try temporaryYAML(text, "unknown-module.yaml")
        XCTAssertThrowsError(try YOLONetwork(config: try ModelConfig.load(path))) { error in
            guard let e = error as? ModelConfigError else { return XCTFail("expected ModelConfigError, got \(error)") }
            XCTAssertEqual(e, .unsupportedModule(path, layer: 9, module: "Frobnicate"))
            XCTAssertTrue(e.description.contains(path), e.description)
            XCTAssertTrue(e.description.contains("Frobnicate"), e.description)
        }
    }

    func testMalformedYAMLNamesFile() throws {
        let path = try temporaryYAML("nc: 1\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]\n  - : : [\nhead: {\n", "malformed.yaml")
        XCTAssertThrowsError(try ModelConfig.load(path)) { error in
            guard let e = error as? ModelConfigError else { return XCTFail("expected ModelConfigError, got \(error)") }
            guard case .invalid = e else { return XCTFail("expected .invalid, got \(e)") }
            XCTAssertTrue(e.description.contains(path), e.description)
        }
    }

    func testStructuralErrorsNameFile() throws {
        let cases: [(String, String)] = [
            ("nc: 1\n", "no-layers.yaml"),
            ("- 1\n- 2\n", "not-a-mapping.yaml"),
            ("nc: 1\nkpt_shape: [17, 4]\nbackbone: []\nhead: []\n", "bad-kpt.yaml"),
            ("nc: 1\nbackbone:\n  - [-1, 1, Conv]\nhead: []\n", "short-row.yaml"),
        ]
        for (text, name) in cases {
            let path = try temporaryYAML(text, name)
            XCTAssertThrowsError(try YOLONetwork(config: try ModelConfig.load(path)), name) { error in
                guard let e = error as? ModelConfigError else { return XCTFail("\(name): got \(error)") }
                XCTAssertTrue(e.description.contains(path), "\(name): \(e.description)")
            }
        }
    }
}
