import XCTest
@testable import YOLOONNX

/// Python-literal metadata as Ultralytics writes it into `metadata_props` (export spec §3.2).
final class MetadataParsingTests: XCTestCase {
    func testLiterals() throws {
        XCTAssertEqual(try PythonLiteral(parsing: "{0: 'person'}"), .dict([PythonLiteralPair(.int(0), .string("person"))]))
        XCTAssertEqual(try PythonLiteral(parsing: "[17, 3]"), .list([.int(17), .int(3)]))
        XCTAssertEqual(try PythonLiteral(parsing: "(1,)"), .tuple([.int(1)]))
        XCTAssertEqual(try PythonLiteral(parsing: "(2)"), .int(2))
        XCTAssertEqual(try PythonLiteral(parsing: " None "), PythonLiteral.none)
        XCTAssertEqual(try PythonLiteral(parsing: "-1.5e-3"), .float(-1.5e-3))
        XCTAssertEqual(try PythonLiteral(parsing: "'it\\'s \\\\ \\x41\\u00e9'"), .string("it's \\ Aé"))
        XCTAssertEqual(try PythonLiteral(parsing: "\"a'b\""), .string("a'b"))
        XCTAssertEqual(try PythonLiteral(parsing: "{'data': PosixPath('a/b.yaml'), 'x': [1, 2,]}")["data"], .opaque("PosixPath('a/b.yaml')"))
        XCTAssertEqual(try PythonLiteral(parsing: "-inf").double, -.infinity)
        XCTAssertThrowsError(try PythonLiteral(parsing: "{0: 'person'"))
        XCTAssertThrowsError(try PythonLiteral(parsing: "[1, 2] x"))
        XCTAssertThrowsError(try PythonLiteral(parsing: "'unterminated"))
        let args = try PythonLiteral(parsing: "{'data': None, 'batch': 1, 'fraction': 1.0, 'quantize': None, 'nms': None, 'dynamic': False, 'simplify': True, 'opset': None}")
        XCTAssertEqual(args["batch"], .int(1))
        XCTAssertEqual(args["dynamic"], .bool(false))
        XCTAssertEqual(args.description, "{'data': None, 'batch': 1, 'fraction': 1.0, 'quantize': None, 'nms': None, 'dynamic': False, 'simplify': True, 'opset': None}")
    }

    func testMetadataFields() throws {
        let m = try ONNXMetadata(entries: [
            ("description", "Ultralytics YOLOv8n-pose model trained on coco8-pose.yaml"), ("stride", "32"), ("task", "pose"),
            ("batch", "2"), ("imgsz", "[480, 640]"), ("names", "{0: 'person', 1: 'cat'}"),
            ("args", "{'batch': 2, 'nms': True, 'dynamic': True}"), ("channels", "3"), ("end2end", "False"),
            ("kpt_shape", "[17, 3]"), ("kpt_names", "{0: ['nose', 'eye']}"),
        ])
        XCTAssertEqual(m.task, "pose")
        XCTAssertEqual(m.stride, 32)
        XCTAssertEqual(m.batch, 2)
        XCTAssertEqual(m.imgsz, [480, 640])
        XCTAssertEqual(m.names, [0: "person", 1: "cat"])
        XCTAssertEqual(m.kptShape, [17, 3])
        XCTAssertEqual(m.kptNames?[0], ["nose", "eye"])
        XCTAssertTrue(m.endToEnd, "args.nms makes the export end-to-end")
        XCTAssertTrue(m.dynamic)
        XCTAssertEqual(try ONNXMetadata(entries: [("imgsz", "[320]")]).imgsz, [320, 320])
        XCTAssertThrowsError(try ONNXMetadata(entries: [("names", "{0: 'person'")]))
        XCTAssertThrowsError(try ONNXMetadata(entries: [("stride", "x")]))
    }
}
