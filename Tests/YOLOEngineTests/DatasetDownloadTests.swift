import Foundation
import XCTest
import YOLOData
import YOLOEngine

/// A missing split with a `download` entry: attempted like Ultralytics, one-line errors otherwise.
final class DatasetDownloadTests: XCTestCase {
    func testDownloadListIsReadAndTried() throws {
        var entries: [(String, DataNode)] = [("path", .string("/nonexistent/ds")), ("val", .string("images/val")),
                                             ("kpt_shape", .list([.int(17), .int(3)])), ("names", .list([.string("person")]))]
        entries.append(("download", .list([.string("http://127.0.0.1:9/a.zip"), .string("http://127.0.0.1:9/b.zip")])))
        let data = try DataConfig(node: .map(entries), yamlURL: URL(fileURLWithPath: "/tmp/ds.yaml"))
        XCTAssertEqual(data.downloads, ["http://127.0.0.1:9/a.zip", "http://127.0.0.1:9/b.zip"])
        XCTAssertThrowsError(try DatasetDownload.ensure(["/nonexistent/ds/images/val"], data: data)) {
            XCTAssertTrue("\($0)".contains("cannot download http://127.0.0.1:9/a.zip"), "\($0)")
        }
    }

    func config(_ download: String?) throws -> DataConfig {
        var entries: [(String, DataNode)] = [("path", .string("/nonexistent/ds")), ("val", .string("images/val")),
                                             ("kpt_shape", .list([.int(17), .int(3)])), ("names", .map([("0", .string("person"))]))]
        if let download { entries.append(("download", .string(download))) }
        return try DataConfig(node: .map(entries), yamlURL: URL(fileURLWithPath: "/tmp/ds.yaml"))
    }

    func testMissingImagesWithoutDownload() throws {
        XCTAssertThrowsError(try DatasetDownload.ensure(["/nonexistent/ds/images/val"], data: config(nil))) {
            XCTAssertTrue("\($0)".contains("/tmp/ds.yaml") && "\($0)".contains("no 'download'"), "\($0)")
        }
    }

    func testScriptsAreNotRun() throws {
        XCTAssertThrowsError(try DatasetDownload.ensure(["/nonexistent/ds/images/val"], data: config("bash data/get.sh"))) {
            XCTAssertTrue("\($0)".contains("is not a .zip URL"), "\($0)")
        }
    }

    func testUnreachableURLIsAOneLineError() throws {
        XCTAssertThrowsError(try DatasetDownload.ensure(["/nonexistent/ds/images/val"], data: config("http://127.0.0.1:9/ds.zip"))) {
            XCTAssertTrue("\($0)".contains("cannot download http://127.0.0.1:9/ds.zip"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }
}
