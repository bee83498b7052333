import Foundation
import XCTest
import YOLOData
import YOLOExport
import YOLOFormats
import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// TorchScript files written by `TorchScriptWriter`, loaded with `torch.jit.load` in the reference venv
/// (Scripts/reference/check_torchscript.py) and run on the coco8-pose val images letterboxed as the predictor does:
/// the file's output must equal our own forward within 1e-3 (fp32), and the reference's own
/// `export(format="torchscript")` of the same checkpoint, run on the same input, must agree with both; the two
/// files must also have the same `named_parameters()` and the same metadata apart from the date.
///
/// All cases run in one interpreter call (the first test to need the report triggers it). Set
/// `YOLO_KEEP_TEST_FILES=1` to keep the written files; their folder is printed.
/// Needs the reference interpreter (`YOLO_REF_PYTHON`, default /work/refvenv/bin/python): without it these fail.
final class TorchScriptReferenceTests: XCTestCase {
    private struct Case {
        var name: String
        /// A fixture checkpoint, or a model YAML: then a random-init network is built and saved as a checkpoint
        /// (float16, as `YOLO.save`) that both sides export.
        var checkpoint: String
        var options: TorchScriptExportOptions
        /// Input size (default: the export size).
        var size: (Int, Int)?
        /// Images in the batch.
        var images = 4
        /// Arguments of the reference's own export of the same checkpoint.
        var reference: [String: Any] = [:]
        /// Run the reference's file one image at a time (its traced NMS loop covers the export batch only).
        var perImage = false
        /// Compare with our Swift forward (not for NMS output).
        var swiftForward = true
        /// Also predict the val images with `YOLO(file)` from both files at this size.
        var predict: Int?
    }

    private static let cases: [Case] = [
        // A trained YOLOv8n-pose at its training size, and a 12-keypoint (x, y only) model.
        Case(name: "overfit", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416])),
        Case(name: "k12d2", checkpoint: "tiny-k12d2-pose.pt", options: .init(imgsz: [640]), images: 2),
        // Anchors computed per call: runs at another size, like the reference's dynamic file.
        Case(name: "dynamic", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416], dynamic: true),
             size: (320, 480), images: 2, reference: ["dynamic": true]),
        // Embedded NMS: [B, 300, 57] detections, every image of our batch processed.
        Case(name: "nms", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416], nms: true),
             reference: ["nms": true], perImage: true, swiftForward: false, predict: 416),
        // Both: NMS on a dynamic file at another size.
        Case(name: "dynamic-nms", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416], dynamic: true, nms: true),
             size: (320, 480), images: 2, reference: ["dynamic": true, "nms": true], perImage: true, swiftForward: false),
        // A Detect head.
        Case(name: "detect", checkpoint: "tiny-detect.pt", options: .init(imgsz: [320]), images: 2, reference: ["imgsz": 320]),
        // P6: C2 blocks and a four-level head.
        Case(name: "p6", checkpoint: "yolov8n-pose-p6.yaml", options: .init(imgsz: [320]), images: 2, reference: ["imgsz": 320]),
    ]

    private static var outcome: Result<[String: [String: Any]], Error>?

    /// The checker's report per case, computed once.
    private func report(_ name: String) throws -> [String: Any] {
        if let reason = ReferencePython.unavailableReason { XCTFail(reason); throw XCTSkip(reason) }
        if Self.outcome == nil { Self.outcome = Result { try Self.run(Self.cases) } }
        return try XCTUnwrap(try Self.outcome!.get()[name], "no report for \(name)")
    }

    private static var valImages: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: Fixtures.coco8Pose.appendingPathComponent("images/val"),
                                                       includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }
    }

    /// The first `count` val images letterboxed to `size` (no auto padding), stacked as NHWC RGB / 255.
    private static func input(_ size: (Int, Int), count: Int) throws -> Tensor {
        let images = Array(valImages.prefix(count))
        guard images.count == count else { throw NSError(domain: "TorchScriptReferenceTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "coco8-pose val images missing"]) }
        let x = Tensor(uninitializedShape: [count, size.0, size.1, 3])
        for (i, url) in images.enumerated() {
            letterbox(try ImageIO.read(url), to: (size.0, size.1), auto: false).image
                .writeRGB01(into: x.pointer + i * size.0 * size.1 * 3)
        }
        x.markModified()
        return x
    }

    /// Writes every case's file, input and our forward, then runs the checker once.
    private static func run(_ cases: [Case]) throws -> [String: [String: Any]] {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tsref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["YOLO_KEEP_TEST_FILES"] == "1" {
                print("TorchScriptReferenceTests: files kept in \(directory.path)")
            } else {
                try? FileManager.default.removeItem(at: directory)
            }
        }
        var requests: [[String: Any]] = []
        for c in cases {
            var checkpointURL = Fixtures.url(c.checkpoint)
            if c.checkpoint.hasSuffix(".yaml") {
                checkpointURL = directory.appendingPathComponent("\(c.name).pt")
                try YOLONetwork(config: ModelConfig.load(c.checkpoint), seed: 7).save(to: checkpointURL)
            }
            let t0 = Date()
            let net = try YOLONetwork.load(checkpointURL.path)
            let checkpoint = try UltralyticsCheckpoint(contentsOf: checkpointURL)
            let metadata = TorchScriptMetadata(network: net, options: c.options,
                                               kptNames: TorchScriptMetadata.kptNames(in: checkpoint))
            let file = directory.appendingPathComponent("\(c.name).torchscript")
            try TorchScriptWriter.write(network: net, options: c.options, metadata: metadata, to: file)
            print("TorchScriptReferenceTests \(c.name): loaded \(checkpointURL.lastPathComponent) and wrote \(file.lastPathComponent) in "
                  + String(format: "%.3f s", Date().timeIntervalSince(t0)))
            let x = try input(c.size ?? c.options.size, count: c.images)
            let inputURL = directory.appendingPathComponent("\(c.name)-input.npy")
            try NpyArray.write(shape: x.shape, values: x.toArray(), to: inputURL)
            var request: [String: Any] = [
                "name": c.name, "torchscript": file.path, "input": inputURL.path, "torchvision": c.options.nms == true,
                "reference": ["checkpoint": checkpointURL.path, "args": c.reference, "per_image": c.perImage],
            ]
            if let imgsz = c.predict { request["predict"] = ["imgsz": imgsz, "images": valImages.map(\.path)] }
            if c.swiftForward {
                net.fuse()
                let y = withNoGrad { net(x) }
                let outURL = directory.appendingPathComponent("\(c.name)-ours.npy")
                try NpyArray.write(shape: y.shape, values: y.toArray(), to: outURL)
                request["ours"] = outURL.path
            }
            requests.append(request)
        }
        let requestURL = directory.appendingPathComponent("request.json")
        try JSONSerialization.data(withJSONObject: ["cases": requests]).write(to: requestURL)
        return try ReferencePython.json("check_torchscript.py", [requestURL.path], timeout: 600).compactMapValues { $0 as? [String: Any] }
    }

    private func number(_ value: Any?, _ label: String) -> Double {
        guard let d = value as? Double else { XCTFail("\(label): \(String(describing: value))"); return .infinity }
        return d
    }

    /// Shapes, output agreement (1e-3), parameters and metadata (apart from the date) of one case.
    private func assertAgreement(_ name: String, shape: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try report(name)
        XCTAssertEqual(r["shape"] as? [Int], shape, name, file: file, line: line)
        XCTAssertEqual(r["reference_shape"] as? [Int], shape, name, file: file, line: line)
        let reference = number(r["vs_reference"], name)
        var summary = "TorchScriptReferenceTests \(name): max |ours − reference file| \(reference)"
        XCTAssertLessThanOrEqual(reference, 1e-3, "\(name): ours vs the reference's TorchScript", file: file, line: line)
        if r["vs_swift"] != nil {
            let swift = number(r["vs_swift"], name), referenceSwift = number(r["reference_vs_swift"], name)
            summary += ", |ours − Swift forward| \(swift), |reference file − Swift forward| \(referenceSwift)"
            XCTAssertLessThanOrEqual(swift, 1e-3, "\(name): torch.jit.load(ours) vs our forward", file: file, line: line)
            XCTAssertLessThanOrEqual(referenceSwift, 1e-3, "\(name): reference file vs our forward", file: file, line: line)
        }
        print(summary + String(format: "; reference export %.2f s", r["reference_seconds"] as? Double ?? .nan))
        let ours = (r["parameters"] as? [[Any]])?.map { "\($0[0]) \($0[1])" }
        let theirs = (r["reference_parameters"] as? [[Any]])?.map { "\($0[0]) \($0[1])" }
        XCTAssertEqual(ours, theirs, "\(name): named_parameters()", file: file, line: line)
        var config = r["config"] as? [String: Any] ?? [:], refConfig = r["reference_config"] as? [String: Any] ?? [:]
        XCTAssertNotNil(config.removeValue(forKey: "date"), name, file: file, line: line)
        XCTAssertNotNil(refConfig.removeValue(forKey: "date"), name, file: file, line: line)
        XCTAssertEqual(NSDictionary(dictionary: config), NSDictionary(dictionary: refConfig), "\(name): config.txt",
                       file: file, line: line)
        if let predict = r["predict"] as? [String: Any] {
            // Ultralytics' own predictor (AutoBackend: torch.jit.load + config.txt) reads our file like the reference's.
            XCTAssertEqual(predict["ours"] as? [Int], predict["reference"] as? [Int], "\(name): YOLO(file).predict counts",
                           file: file, line: line)
            XCTAssertLessThanOrEqual(number(predict["max_diff"], "\(name) predict"), 1e-3, "\(name): YOLO(file).predict",
                                     file: file, line: line)
            print("TorchScriptReferenceTests \(name): YOLO(file).predict detections \(predict["ours"] ?? "?") vs reference "
                  + "\(predict["reference"] ?? "?"), max |Δ| \(predict["max_diff"] ?? "?")")
        }
    }

    func testTrainedPoseModelAtItsTrainingSize() throws { try assertAgreement("overfit", shape: [4, 56, 3549]) }

    func testTwoValueKeypointModel() throws { try assertAgreement("k12d2", shape: [2, 29, 8400]) }

    func testDynamicExportRunsAtAnotherSize() throws { try assertAgreement("dynamic", shape: [2, 56, 3150]) }

    func testEmbeddedNMSOnADynamicFile() throws { try assertAgreement("dynamic-nms", shape: [2, 300, 57]) }

    func testDetectModel() throws { try assertAgreement("detect", shape: [2, 7, 2100]) }

    func testP6ModelWithC2Blocks() throws { try assertAgreement("p6", shape: [2, 56, 2125]) }

    func testEmbeddedNMSMatchesTheReference() throws {
        try assertAgreement("nms", shape: [4, 300, 57])
        XCTAssertGreaterThan(try report("nms")["detections"] as? Int ?? 0, 3, "the overfit model finds people in the val images")
    }
}
