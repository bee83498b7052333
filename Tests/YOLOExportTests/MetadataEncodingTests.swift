import XCTest
import YOLOModel
import YOLOTestSupport
@testable import YOLOExport

/// The metadata encodings against what Python prints (expected strings produced with the reference venv's
/// Python 3.11 / PyYAML 6: `str()`, `json.dumps`, `yaml.safe_dump(sort_keys=False, allow_unicode=True)`).
final class MetadataEncodingTests: XCTestCase {
    let sample: MetadataValue = .dict([
        ("description", .string("Ultralytics YOLOv8n-pose model ")),
        ("imgsz", .list([.int(320), .int(320)])),
        ("names", .dict([MetadataPair(key: .int(0), value: .string("person")), MetadataPair(key: .int(1), value: .string("it's"))])),
        ("args", .dict([("data", .none), ("batch", .int(1)), ("fraction", .float(1.0)), ("quantize", .string("w8a16")),
                        ("nms", .bool(true))])),
        ("kpt_names", .dict([MetadataPair(key: .int(0), value: .list([.string("0"), .string("nose")]))])),
    ])

    func testPythonRepr() {
        XCTAssertEqual(sample["names"]?.pythonStr, #"{0: 'person', 1: "it's"}"#)
        XCTAssertEqual(sample["args"]?.pythonStr,
                       "{'data': None, 'batch': 1, 'fraction': 1.0, 'quantize': 'w8a16', 'nms': True}")
        XCTAssertEqual(sample["description"]?.pythonStr, "Ultralytics YOLOv8n-pose model ")
        XCTAssertEqual(sample["kpt_names"]?.pythonStr, "{0: ['0', 'nose']}")
    }

    func testJSON() {
        XCTAssertEqual(sample.json,
                       #"{"description": "Ultralytics YOLOv8n-pose model ", "imgsz": [320, 320], "names": {"0": "person", "1": "it's"}, "args": {"data": null, "batch": 1, "fraction": 1.0, "quantize": "w8a16", "nms": true}, "kpt_names": {"0": ["0", "nose"]}}"#)
        XCTAssertEqual(MetadataValue.string("café").json, #""caf\u00e9""#)
    }

    func testYAMLMatchesPyYAML() {
        let expected = """
            description: 'Ultralytics YOLOv8n-pose model '
            imgsz:
            - 320
            - 320
            names:
              0: person
              1: it's
            args:
              data: null
              batch: 1
              fraction: 1.0
              quantize: w8a16
              nms: true
            kpt_names:
              0:
              - '0'
              - nose

            """
        XCTAssertEqual(MetadataYAMLWriter.document(sample), expected)
    }

    func testYAMLScalarQuoting() {
        // From yaml.safe_dump of each string as a mapping value.
        let cases: [(String, String)] = [
            ("café ünï", "café ünï"), ("x\"y", "x\"y"), ("it's", "it's"), ("", "''"), ("~", "'~'"), ("True", "'True'"),
            ("0x1F", "'0x1F'"), ("1e3", "1e3"), (".5", "'.5'"), ("1_000", "'1_000'"), ("- a", "'- a'"), ("a #b", "'a #b'"),
            ("@x", "'@x'"), ("%x", "'%x'"), ("!x", "'!x'"), ("*x", "'*x'"), ("&x", "'&x'"), ("|", "'|'"), (">", "'>'"),
            ("x:", "'x:'"), ("[a]", "'[a]'"), ("{a}", "'{a}'"), (",a", "',a'"), ("a,b", "a,b"), ("?x", "?x"),
            ("yes", "'yes'"), ("Off", "'Off'"), ("2020-01-01", "'2020-01-01'"), ("12:30", "'12:30'"), ("\"q\"", "'\"q\"'"),
            ("`x", "'`x'"), ("a  b", "a  b"), ("-", "'-'"), ("x y:z", "x y:z"), ("1.0", "'1.0'"), ("+1", "'+1'"),
            ("=", "'='"), ("NaN", "NaN"), (".inf", "'.inf'"), ("<<", "'<<'"), ("8.4.190", "8.4.190"), ("-x", "-x"),
            ("2026-11-27T12:24:32.311672+00:00", "'2026-11-27T12:24:32.311672+00:00'"),
        ]
        for (input, output) in cases {
            XCTAssertEqual(MetadataYAMLWriter.scalar(.string(input), column: 3, continuation: 2), output, input)
        }
    }

    func testYAMLFoldsLongScalars() {
        let words = (0..<40).map { "word\($0)" }.joined(separator: " ")
        let doc = MetadataYAMLWriter.document(.dict([("description", .string(words)), ("names", .dict([MetadataPair(key: .int(0), value: .string(words))]))]))
        XCTAssertEqual(doc, """
            description: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11
              word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23
              word24 word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35
              word36 word37 word38 word39
            names:
              0: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12
                word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24
                word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35 word36
                word37 word38 word39

            """)
    }

    func testQuantizeSpellings() throws {
        XCTAssertEqual(try ExportQuantize(parsing: "FP16"), .fp16)
        XCTAssertEqual(try ExportQuantize(parsing: "w8a8"), .int8)
        XCTAssertEqual(try ExportQuantize(parsing: "w8a16").metadataValue, .string("w8a16"))
        XCTAssertThrowsError(try ExportQuantize(parsing: "99")) { e in
            XCTAssertTrue("\(e)".hasPrefix("'quantize=99' is invalid. Valid 'quantize' values are 8, 16, 32"))
        }
    }
}

/// The metadata of real checkpoints encoded by Python itself (`Scripts/reference/metadata_dump.py`: our `repr`
/// read back with `ast.literal_eval`, then PyYAML / `json.dumps` / `str`).
final class MetadataReferenceTests: XCTestCase {
    func testEncodingsMatchPython() throws {
        for (fixture, format) in [("overfit-n-pose.pt", "openvino"), ("tiny-k12d2-pose.pt", "ncnn"), ("tiny-detect.pt", "onnx")] {
            let net = try YOLONetwork.load(Fixtures.path(fixture))
            net.names[0] = "person with 'quotes' and a very long name: \(String(repeating: "word ", count: 20))"
            var args = ExportArguments(format: format)
            args.quantize = .fp16
            args.nms = true
            let meta = ExportMetadata(network: net, format: ExportFormat.named(format)!, arguments: args,
                                      imageSize: [480, 640], sourceStem: "x")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID().uuidString).py")
            defer { try? FileManager.default.removeItem(at: file) }
            try meta.dictionary.pythonRepr.write(to: file, atomically: true, encoding: .utf8)
            let python = try ReferencePython.json("metadata_dump.py", [file.path], timeout: 60)
            XCTAssertEqual(meta.yaml, python["yaml"] as? String, fixture)
            XCTAssertEqual(meta.json, python["json"] as? String, fixture)
            XCTAssertEqual(meta.stringProperties.map { [$0.key, $0.value] }, python["str"] as? [[String]], fixture)
        }
    }
}
