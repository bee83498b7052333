import Foundation
import XCTest
import YOLOModel
import YOLOTestSupport
@testable import YOLOExport

/// Our ONNX files against the reference's exports of the same checkpoints with the same arguments
/// (Tests/Fixtures/export/reference.json): input/output names, types and dims, opset, IR version, metadata keys
/// and values (date aside), and the op histogram where our graph follows the reference's node for node (static,
/// no NMS). Every file must also pass `onnx.checker` (full check).
final class ONNXReferenceStructureTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testMatchesTheReferenceExports() throws {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("export/reference.json"))) as! [String: Any]
        let exports = (root["exports"] as! [String: [String: Any]]).filter { $0.value["describe"] != nil }
        let ort = try ORTHarness()
        defer { ort.cleanUp() }
        var order: [String] = []
        for (name, entry) in exports.sorted(by: { $0.key < $1.key }) {
            let ckpt = entry["checkpoint"] as! String
            let kw = entry["args"] as! [String: Any]
            var args = ExportArguments(format: "onnx")
            if let s = kw["imgsz"] as? Int { args.imgsz = [s] }
            if let s = kw["imgsz"] as? [Int] { args.imgsz = s }
            args.batch = kw["batch"] as? Int ?? 1
            args.dynamic = kw["dynamic"] as? Bool ?? false
            args.nms = kw["nms"] as? Bool
            args.opset = kw["opset"] as? Int
            if let q = kw["quantize"] as? Int { args.quantize = try ExportQuantize(parsing: String(q)) }
            let net = try YOLONetwork.load(try ort.copy(ckpt))
            let url = try net.export(args)
            let kept = url.deletingLastPathComponent().appendingPathComponent("\(name).onnx")
            try? FileManager.default.removeItem(at: kept)
            try FileManager.default.moveItem(at: url, to: kept)
            try ort.add(model: kept, inputs: [])
            order.append(name)
        }
        let runs = try ort.run()
        for (name, run) in zip(order, runs) {
            let ours = run.describe
            let ref = exports[name]!["describe"] as! [String: Any]
            XCTAssertEqual(ours["checker"] as? String, "ok", name)
            for key in ["ir_version", "graph_name"] {
                XCTAssertEqual("\(ours[key]!)", "\(ref[key]!)", "\(name): \(key)")
            }
            XCTAssertEqual(ours["opset"] as? NSArray, ref["opset"] as? NSArray, "\(name): opset")
            XCTAssertEqual(ours["inputs"] as? NSArray, ref["inputs"] as? NSArray, "\(name): inputs")
            XCTAssertEqual(ours["outputs"] as? NSArray, ref["outputs"] as? NSArray, "\(name): outputs")
            let mine = (ours["metadata"] as! [[String]]).map { $0[0] == "date" ? [$0[0], "<date>"] : $0 }
            XCTAssertEqual(mine, ref["metadata"] as! [[String]], "\(name): metadata")
            let date = (ours["metadata"] as! [[String]]).first { $0[0] == "date" }?[1] ?? ""
            XCTAssertNotNil(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$"#, options: .regularExpression), date)
            let dynamicOrNMS = (exports[name]!["args"] as! [String: Any]).keys.contains { $0 == "dynamic" || $0 == "nms" }
            if !dynamicOrNMS {
                XCTAssertEqual(ours["ops"] as? NSDictionary, ref["ops"] as? NSDictionary, "\(name): op histogram")
                XCTAssertEqual(ours["nodes"] as? Int, ref["nodes"] as? Int, "\(name): node count")
            }
        }
        XCTAssertEqual(order.count, 9, "reference cases")
    }
}
