import Foundation
import XCTest
@testable import YOLOFormats

/// Locations of test fixtures, relative to this file.
enum FormatFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let formats = fixtures.appendingPathComponent("formats")

    static func url(_ name: String) -> URL { formats.appendingPathComponent(name) }

    /// A shared fixture from Tests/Fixtures, or nil (test skipped) when it is not present.
    static func optional(_ name: String) throws -> URL {
        let url = fixtures.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("fixture \(name) not present") }
        return url
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// A fresh temporary directory for the calling test.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yoloformats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Asserts that `body` throws a `CheckpointError` whose one-line message starts with the file name and contains
/// every fragment.
func assertCheckpointError<T>(_ body: @autoclosure () throws -> T, file name: String, contains fragments: [String],
                              file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a CheckpointError for \(name)", file: file, line: line)
    } catch let error as CheckpointError {
        let message = error.description
        XCTAssertTrue(message.hasPrefix(name + ": "), "message does not name \(name): \(message)", file: file, line: line)
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        XCTAssertEqual(error.file, name, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("unexpected error type \(type(of: error)): \(error)", file: file, line: line)
    }
}
