import Foundation
import XCTest
import YOLOData
import YOLOModel
import YOLOTestSupport
@testable import YOLOEngine

/// `Results.toJSON()` / `toCSV()` against the reference's strings (`Tests/Fixtures/predict/results-table.json`,
/// `Scripts/reference/results_table.py`): same key order, Python float reprs and dict-repr CSV cells; values may
/// differ only in the last rounded digit (our forward agrees within 1e-2 px, rounding is to 5 decimals), so the test
/// compares the texts with every number replaced by a placeholder and the numbers within 2e-3.
final class ResultsTableTests: XCTestCase {
    func testJSONAndCSVMatchReference() throws {
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("predict/results-table.json"))) as! [String: Any]
        let net = try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt"))
        net.fuse()
        let image = try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent("images/val/000000000136.jpg"))
        var o = PredictOptions()
        o.imgsz = nil
        let r = try Predictor(model: net, options: o).predict(image, path: "000000000136.jpg")
        XCTAssertEqual(r.count, fixture["detections"] as? Int)
        for (key, got) in [("json", r.toJSON()), ("csv", r.toCSV()), ("json_normalized", r.toJSON(normalize: true)),
                           ("csv_normalized", r.toCSV(normalize: true))] {
            let want = fixture[key] as! String
            XCTAssertEqual(Self.skeleton(got), Self.skeleton(want), key)
            let a = Self.numbers(got), b = Self.numbers(want)
            XCTAssertEqual(a.count, b.count, key)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 2e-3, key) }
        }
        // Results keep their image: plot() draws on it and save(to:) writes it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try r.save(to: dir.appendingPathComponent("annotated.jpg").path)
        XCTAssertEqual(try ImageIO.read(URL(fileURLWithPath: path)).width, image.width)
        XCTAssertEqual(try r.plot().pixels, try r.plot(on: image).pixels)
        var bare = r
        bare.origImage = nil
        XCTAssertThrowsError(try bare.plot())
    }

    static let number = try! NSRegularExpression(pattern: #"-?\d+(\.\d+)?(e-?\d+)?"#)

    static func skeleton(_ s: String) -> String {
        number.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "#")
    }

    static func numbers(_ s: String) -> [Double] {
        number.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { Double(String(s[Range($0.range, in: s)!]))! }
    }
}
