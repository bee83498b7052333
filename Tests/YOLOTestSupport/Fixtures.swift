import Foundation
import XCTest
import YOLOTensor

/// Locations of committed fixtures (made by Scripts/reference/make_fixtures.py) and the shared dataset.
public enum Fixtures {
    /// `Tests/Fixtures` in this checkout.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fixture file by name.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
    public static func path(_ name: String) -> String { url(name).path }

    /// `../shared/datasets/coco8-pose` beside the repository. Read only: CI's copy is read-only, a newcomer's is
    /// writable, and neither may change, so tests use `coco8Pose` instead.
    public static let sharedCoco8Pose: URL = directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/datasets/coco8-pose")

    /// A writable copy of the shared coco8-pose for this test process (made on first use, removed at exit). Scans
    /// write label caches beside the labels — ours and the reference's, which tests also run — so they get this
    /// copy, and `../shared` stays byte-identical whether it is writable or not.
    public static let coco8Pose: URL = {
        let root = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("yolo-tests-\(ProcessInfo.processInfo.processIdentifier)")
        let copy = root.appendingPathComponent("coco8-pose")
        let fm = FileManager.default
        if !fm.fileExists(atPath: copy.path) {
            try? fm.createDirectory(at: root, withIntermediateDirectories: true)
            do { try fm.copyItem(at: sharedCoco8Pose, to: copy) } catch {
                fatalError("cannot copy \(sharedCoco8Pose.path) to \(copy.path): \(error)")
            }
            // Files copied from a read-only tree keep their modes; the copy is meant to behave like a user's dataset.
            for case let entry as String in fm.enumerator(atPath: copy.path)?.allObjects ?? [] {
                let path = copy.appendingPathComponent(entry).path
                var isDir: ObjCBool = false
                _ = fm.fileExists(atPath: path, isDirectory: &isDir)
                try? fm.setAttributes([.posixPermissions: isDir.boolValue ? 0o755 : 0o644], ofItemAtPath: path)
            }
            try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
            atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory()
                        + "yolo-tests-\(ProcessInfo.processInfo.processIdentifier)") }
        }
        return copy
    }()
}

/// A `.npy` array: shape and values converted to Float (supports `<f4`, `<f8`, `|u1`, `<i8`).
public struct NpyArray {
    public let shape: [Int]
    public let values: [Float]

    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard data.count > 10, data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else {
            throw NSError(domain: "npy", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.path): not a .npy file"])
        }
        let major = data[6]
        let headerLen = major == 1 ? Int(data[8]) | Int(data[9]) << 8
                                   : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = major == 1 ? 10 : 12
        let header = String(decoding: data[start..<start + headerLen], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)': ") else { return nil }
            let rest = header[r.upperBound...]
            if rest.first == "(" { return String(rest[rest.startIndex...rest.firstIndex(of: ")")!]) }
            return String(rest.prefix { $0 != "," })
        }
        let descr = field("descr")!.replacingOccurrences(of: "'", with: "")
        precondition(field("fortran_order") == "False", "npy: fortran order unsupported")
        shape = field("shape")!.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let body = data.subdata(in: start + headerLen..<data.count)
        values = body.withUnsafeBytes { raw -> [Float] in
            switch descr {
            case "<f4": return Array(raw.bindMemory(to: Float.self).prefix(count))
            case "<f8": return raw.bindMemory(to: Double.self).prefix(count).map { Float($0) }
            case "|u1": return raw.bindMemory(to: UInt8.self).prefix(count).map { Float($0) }
            case "<i8": return raw.bindMemory(to: Int64.self).prefix(count).map { Float($0) }
            default: preconditionFailure("npy: dtype \(descr) unsupported")
            }
        }
    }

    /// As a tensor of the same shape.
    public var tensor: Tensor { Tensor(shape: shape, values: values) }
}

/// Asserts element-wise closeness: |a − b| ≤ atol + rtol·|b| everywhere; reports the worst element.
public func assertClose(_ a: [Float], _ b: [Float], atol: Float, rtol: Float = 0, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): sizes differ", file: file, line: line)
    var worst = 0, worstExcess: Float = -.infinity
    for i in 0..<min(a.count, b.count) {
        let excess = abs(a[i] - b[i]) - (atol + rtol * abs(b[i]))
        if excess > worstExcess || excess.isNaN { worstExcess = excess.isNaN ? .infinity : excess; worst = i }
    }
    if worstExcess > 0 {
        XCTFail("\(message): element \(worst) is \(a[worst]), expected \(b[worst]) (atol \(atol), rtol \(rtol))",
                file: file, line: line)
    }
}

/// Largest absolute difference.
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
