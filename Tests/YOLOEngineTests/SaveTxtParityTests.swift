import Foundation
import XCTest
import YOLOEngine
import YOLOModel
import YOLOTestSupport

/// `save_txt` / `save_conf` label files against the ones Ultralytics wrote for the same checkpoint and images
/// (Tests/Fixtures/predict/save_txt*/overfit-n-pose, made by Scripts/reference/make_predict_fixtures.py at
/// imgsz 640, conf 0.25). Files must exist for the same images with the same number of lines; values parse to
/// the same numbers within 0.5 px (normalized by the image size) for coordinates and 1e-3 for scores.
final class SaveTxtParityTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func run(saveConf: Bool, reference: String) throws {
        let out = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("txt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var o = PredictOptions()
        o.imgsz = [640]
        o.conf = 0.25
        o.saveTxt = true
        o.saveConf = saveConf
        o.project = out.path
        o.name = "predict"
        o.existOk = true  // train and val images go to one folder
        o.verbose = false
        let predictor = try Predictor(model: try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt")), options: o)
        var sizes: [String: (Float, Float)] = [:]
        for split in ["train", "val"] {
            try predictor.run(source: Fixtures.coco8Pose.appendingPathComponent("images/\(split)").path) { r in
                let stem = ((r.path as NSString).lastPathComponent as NSString).deletingPathExtension
                sizes[stem] = (Float(r.origShape.width), Float(r.origShape.height))
            }
        }
        let refDir = Fixtures.url("predict/\(reference)/overfit-n-pose")
        let refFiles = try FileManager.default.contentsOfDirectory(atPath: refDir.path).sorted()
        let ours = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("predict/labels").path).sorted()
        XCTAssertEqual(ours, refFiles, "label files written")
        XCTAssertFalse(refFiles.isEmpty)
        for file in refFiles {
            let stem = (file as NSString).deletingPathExtension
            let (w, h) = sizes[stem]!
            let parse = { (url: URL) -> [[Float]] in
                try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map { Float($0)! } }
            }
            let a = try parse(out.appendingPathComponent("predict/labels/\(file)")), b = try parse(refDir.appendingPathComponent(file))
            XCTAssertEqual(a.count, b.count, "\(file): lines")
            for (la, lb) in zip(a, b) {
                XCTAssertEqual(la.count, lb.count, "\(file): fields")
                XCTAssertEqual(la.count, saveConf ? 57 : 56)
                XCTAssertEqual(la[0], lb[0], "\(file): class")
                for k in 1..<la.count {
                    let isScore = (k >= 5 && (k - 5) % 3 == 2) || (saveConf && k == la.count - 1)
                    let isX = !isScore && (k == 1 || k == 3 || (k >= 5 && (k - 5) % 3 == 0))
                    let tol: Float = isScore ? 1e-3 : 0.5 / (isX ? w : h) + 1e-6
                    XCTAssertEqual(la[k], lb[k], accuracy: tol, "\(file) field \(k)")
                }
            }
        }
    }

    func testSaveTxt() throws { try run(saveConf: false, reference: "save_txt") }
    func testSaveTxtWithConf() throws { try run(saveConf: true, reference: "save_txt_conf") }
}
