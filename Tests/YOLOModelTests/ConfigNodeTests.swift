import XCTest
import YOLOModel
import YOLOTestSupport

/// YAML scalars are typed by the YAML resolver, not by trying constructors in turn.
final class ConfigNodeTests: XCTestCase {
    func testScalarsKeepTheirYAMLTypes() throws {
        let n = try ConfigNode.parse(yaml: """
            url: https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8-pose.zip
            time: 1:20
            hex: 0x1F
            flag: True
            none: None
            null_value: null
            ratio: 0.25
            quoted: "640"
            list: [1, 2.5, nearest]
            """)
        XCTAssertEqual(n["url"], .string("https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8-pose.zip"))
        XCTAssertEqual(n["hex"], .int(31))
        XCTAssertEqual(n["flag"], .bool(true))
        XCTAssertEqual(n["none"], .string("None"))   // Ultralytics' model YAMLs spell Python's None; the builder maps it
        XCTAssertEqual(n["null_value"], ConfigNode.none)
        XCTAssertEqual(n["ratio"], .double(0.25))
        XCTAssertEqual(n["quoted"], .string("640"))
        XCTAssertEqual(n["list"], .list([.int(1), .double(2.5), .string("nearest")]))
        XCTAssertNotNil(n["time"])
    }

    /// Base-60 integers as YAML 1.1 (and PyYAML) read them; one too large for Int becomes a double instead of the
    /// trap Yams' own construction hits (a data-yaml fuzzer finding, Fuzz/corpus/data-yaml/regress-sexagesimal-overflow).
    func testSexagesimalIntegersAreCheckedForOverflow() throws {
        let node = try ConfigNode.parse(yaml: "a: 1:30\nb: -2:00\nc: 1000000000000095516:5\n")
        XCTAssertEqual(node["a"], .int(90))
        XCTAssertEqual(node["b"], .int(-120))
        XCTAssertEqual(node["c"], .double(1000000000000095516.0 * 60 + 5))
        // Read as an integer, such a value is out of range, not a trap (a model-yaml fuzzer finding:
        // Fuzz/corpus/model-yaml/regress-repeats-sexagesimal-overflow).
        XCTAssertNil(node["c"]?.int)
        XCTAssertNil(ConfigNode.double(.infinity).int)
        XCTAssertEqual(ConfigNode.double(-3).int, -3)
        let yaml = try String(contentsOf: Fixtures.url("tiny-pose.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "[-1, 1, Conv, [64, 3, 2]]", with: "[-1, 45:45:4:45:4:44:4:44:44:4:43, Conv, [64, 3, 2]]")
        XCTAssertTrue(yaml.contains("45:45:4"))
        XCTAssertThrowsError(try ModelConfig(node: ConfigNode.parse(yaml: yaml), source: "m.yaml"))
    }
}
