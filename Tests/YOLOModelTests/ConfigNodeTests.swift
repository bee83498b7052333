import XCTest
import YOLOModel

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
}
