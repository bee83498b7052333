import Foundation
import XCTest
import YOLOData
import YOLOExport
import YOLOFormats
import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// TorchScript files written by `TorchScriptWriter`, loaded with `torch.jit.load` in the reference venv
/// (Scripts/reference/check_torchscript.py) and run on the four coco8-pose val images letterboxed as the predictor
/// does: the file's output must equal our own forward within 1e-3 (fp32), and the reference's own
/// `export(format="torchscript")` of the same checkpoint, run on the same input, must agree with both.
/// Needs the reference interpreter (`YOLO_REF_PYTHON`, default /work/refvenv/bin/python): without it these fail.
final class TorchScriptReferenceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        if let reason = ReferencePython.unavailableReason { XCTFail(reason); throw XCTSkip(reason) }
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tsref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Set `YOLO_KEEP_TEST_FILES=1` to keep the written files (their folder is printed) for inspection.
    override func tearDownWithError() throws {
        guard let directory else { return }
        if ProcessInfo.processInfo.environment["YOLO_KEEP_TEST_FILES"] == "1" {
            print("TorchScriptReferenceTests: files kept in \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private var valImages: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: Fixtures.coco8Pose.appendingPathComponent("images/val"),
                                                       includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }
    }

    /// The val images letterboxed to `size` (no auto padding), stacked as NHWC RGB / 255.
    private func input(_ size: (Int, Int), count: Int = 4) throws -> Tensor {
        let images = Array(valImages.prefix(count))
        XCTAssertEqual(images.count, count, "coco8-pose val images")
        let x = Tensor(uninitializedShape: [images.count, size.0, size.1, 3])
        for (i, url) in images.enumerated() {
            let lb = letterbox(try ImageIO.read(url), to: (size.0, size.1), auto: false)
            lb.image.writeRGB01(into: x.pointer + i * size.0 * size.1 * 3)
        }
        x.markModified()
        return x
    }

    private struct Case {
        var name: String
        var checkpoint: String
        var options: TorchScriptExportOptions
        /// Input size (defaults to the export size).
        var size: (Int, Int)?
        /// Arguments of the reference's own export of the same checkpoint (nil: no reference file).
        var reference: [String: Any]?
        /// Run the reference's file one image at a time.
        var perImage = false
        var swiftForward = true
        /// Images in the batch (default 4).
        var images = 4
    }

    /// Writes each case's file and inputs, runs the checker once for all, and returns its report per case.
    private func check(_ cases: [Case]) throws -> [String: [String: Any]] {
        var requests: [[String: Any]] = []
        for c in cases {
            let net = try YOLONetwork.load(Fixtures.path(c.checkpoint))
            let checkpoint = try UltralyticsCheckpoint(contentsOf: Fixtures.url(c.checkpoint))
            let metadata = TorchScriptMetadata(network: net, options: c.options,
                                               kptNames: TorchScriptMetadata.kptNames(in: checkpoint))
            let file = directory.appendingPathComponent("\(c.name).torchscript")
            let t0 = Date()
            try TorchScriptWriter.write(network: net, options: c.options, metadata: metadata, to: file)
            print("TorchScriptReferenceTests \(c.name): wrote \(file.lastPathComponent) in \(String(format: "%.3f", Date().timeIntervalSince(t0))) s")
            let x = try input(c.size ?? c.options.size, count: c.images)
            let inputURL = directory.appendingPathComponent("\(c.name)-input.npy")
            try NpyArray.write(shape: x.shape, values: x.toArray(), to: inputURL)
            var request: [String: Any] = ["name": c.name, "torchscript": file.path, "input": inputURL.path,
                                          "torchvision": c.options.nms == true]
            if c.swiftForward {
                net.fuse()
                let y = withNoGrad { net(x) }
                let outURL = directory.appendingPathComponent("\(c.name)-ours.npy")
                try NpyArray.write(shape: y.shape, values: y.toArray(), to: outURL)
                request["ours"] = outURL.path
            }
            if let reference = c.reference {
                request["reference"] = ["checkpoint": Fixtures.path(c.checkpoint), "args": reference, "per_image": c.perImage]
            }
            requests.append(request)
        }
        let requestURL = directory.appendingPathComponent("request.json")
        try JSONSerialization.data(withJSONObject: ["cases": requests]).write(to: requestURL)
        let report = try ReferencePython.json("check_torchscript.py", [requestURL.path], timeout: 300)
        return report.compactMapValues { $0 as? [String: Any] }
    }

    private func number(_ value: Any?, _ label: String) -> Double {
        guard let d = value as? Double else { XCTFail("\(label): \(String(describing: value))"); return .infinity }
        return d
    }

    /// Static exports at the checkpoints' training sizes: a trained YOLOv8n-pose (416) and a 12-keypoint,
    /// 2-value model (640). Same output as our forward and as the reference's file; same parameters and metadata
    /// (apart from the date) as the reference's file.
    func testStaticExportsRunInTorchLikeOurForwardAndTheReference() throws {
        let report = try check([
            Case(name: "overfit", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416]), reference: [:]),
            Case(name: "k12d2", checkpoint: "tiny-k12d2-pose.pt", options: .init(imgsz: [640]), reference: [:]),
        ])
        assertAgreement(report, [("overfit", [4, 56, 3549]), ("k12d2", [4, 29, 8400])])
    }

    /// A dynamic export (anchors computed per call) runs at a size other than the export size, as the reference's
    /// dynamic file does.
    func testDynamicExportRunsAtOtherSizes() throws {
        let report = try check([
            Case(name: "dynamic", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416], dynamic: true),
                 size: (320, 480), reference: ["dynamic": true], images: 2),
        ])
        assertAgreement(report, [("dynamic", [2, 56, 3150])])
    }

    /// Embedded NMS: `[B, 300, 57]` detections equal to the reference's `nms=True` file (run per image, since its
    /// traced loop covers the export batch only), with every image of our batch processed.
    func testNMSExportMatchesTheReference() throws {
        let report = try check([
            Case(name: "nms", checkpoint: "overfit-n-pose.pt", options: .init(imgsz: [416], nms: true),
                 reference: ["nms": true], perImage: true, swiftForward: false),
        ])
        assertAgreement(report, [("nms", [4, 300, 57])])
        let r = try XCTUnwrap(report["nms"])
        XCTAssertGreaterThan(r["detections"] as? Int ?? 0, 3, "the overfit model finds people in the val images")
    }

    /// Shapes, output agreement (1e-3), parameters and metadata (apart from the date) of each case.
    private func assertAgreement(_ report: [String: [String: Any]], _ expected: [(String, [Int])],
                                 file: StaticString = #filePath, line: UInt = #line) {
        for (name, shape) in expected {
            guard let r = report[name] else { XCTFail("no report for \(name)", file: file, line: line); continue }
            XCTAssertEqual(r["shape"] as? [Int], shape, name, file: file, line: line)
            XCTAssertEqual(r["reference_shape"] as? [Int], shape, name, file: file, line: line)
            let reference = number(r["vs_reference"], name)
            var line1 = "TorchScriptReferenceTests \(name): max |ours − reference file| \(reference)"
            XCTAssertLessThanOrEqual(reference, 1e-3, "\(name): ours vs the reference's TorchScript", file: file, line: line)
            if r["vs_swift"] != nil {
                let swift = number(r["vs_swift"], name), referenceSwift = number(r["reference_vs_swift"], name)
                line1 += ", |ours − Swift forward| \(swift), |reference file − Swift forward| \(referenceSwift)"
                XCTAssertLessThanOrEqual(swift, 1e-3, "\(name): torch.jit.load(ours) vs our forward", file: file, line: line)
                XCTAssertLessThanOrEqual(referenceSwift, 1e-3, "\(name): reference file vs our forward", file: file, line: line)
            }
            print(line1 + ", reference export \(r["reference_seconds"] ?? "?") s")
            let ours = (r["parameters"] as? [[Any]])?.map { "\($0[0]) \($0[1])" }
            let theirs = (r["reference_parameters"] as? [[Any]])?.map { "\($0[0]) \($0[1])" }
            XCTAssertEqual(ours, theirs, "\(name): named_parameters()", file: file, line: line)
            var config = r["config"] as? [String: Any] ?? [:], refConfig = r["reference_config"] as? [String: Any] ?? [:]
            XCTAssertNotNil(config.removeValue(forKey: "date"), name, file: file, line: line)
            XCTAssertNotNil(refConfig.removeValue(forKey: "date"), name, file: file, line: line)
            XCTAssertEqual(NSDictionary(dictionary: config), NSDictionary(dictionary: refConfig), "\(name): config.txt",
                           file: file, line: line)
        }
    }
}
