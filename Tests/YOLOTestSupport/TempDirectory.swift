import Foundation
import XCTest

/// Temporary folders for tests.
public enum TempDirectory {
    /// A fresh folder named `<prefix>-<uuid>` under the system temp directory, removed when `test` ends.
    public static func make(for test: XCTestCase, prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock {
            _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        return dir
    }
}
