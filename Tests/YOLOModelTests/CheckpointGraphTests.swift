import Foundation
import XCTest
@testable import YOLOFormats
import YOLOModel
import YOLOTestSupport

/// The object graph we pickle against the reference's own: `trained-n-pose.pt` (a stripped Ultralytics training
/// checkpoint) loaded and written again must have the same zip records, classes, attribute names, attribute values
/// and tensor types, module by module. The only allowed differences are the head's inference caches, which the
/// reference filled while validating during training (`anchors`/`strides` shapes, `shape`, `max_det`, `_end2end`).
final class CheckpointGraphTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    func testObjectGraphMatchesReferenceCheckpoint() throws {
        let refURL = Fixtures.url("trained-n-pose.pt")
        let ref = try TorchFile.load(refURL)
        let net = try YOLONetwork.load(refURL.path)
        var contents = UltralyticsCheckpointContents.stripped(
            model: net, trainArgs: pairs(ref.root["train_args"]), trainMetrics: pairs(ref.root["train_metrics"]),
            trainResults: pairs(ref.root["train_results"]))
        contents.date = try XCTUnwrap(ref.root["date"]?.stringValue)
        contents.license = try XCTUnwrap(ref.root["license"]?.stringValue)
        // The reference's model.args is the full argument dict, its train_args the filtered one.
        contents.modelArgs = pairs(ref.root["model"]?["args"])
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("trained-n-pose.pt")
        try contents.write(to: url)
        let ours = try TorchFile.load(url)

        // Zip records: the same names below the root folder (the reference was written as last.pt), same order.
        func records(_ url: URL) throws -> [String] {
            try ZipArchive(data: Data(contentsOf: url), fileName: url.lastPathComponent).entries.map {
                String($0.name.drop { $0 != "/" })
            }
        }
        let refRecords = try records(refURL), ourRecords = try records(url)
        XCTAssertEqual(refRecords.count, 407)
        XCTAssertTrue(ourRecords == refRecords, "zip records differ: \(ourRecords.prefix(6)) … vs \(refRecords.prefix(6)) …")
        XCTAssertEqual(ours.archiveRoot, "trained-n-pose")

        let allowed: Set<String> = ["model.model.22.anchors", "model.model.22.strides", "model.model.22.shape",
                                    "model.model.22.max_det", "model.model.22._end2end"]
        var refLines: [String] = [], ourLines: [String] = []
        var refSeen: [ObjectIdentifier: String] = [:], ourSeen: [ObjectIdentifier: String] = [:]
        Self.skeleton(ref.root, path: "", into: &refLines, seen: &refSeen)
        Self.skeleton(ours.root, path: "", into: &ourLines, seen: &ourSeen)
        func filtered(_ lines: [String]) -> [String] {
            lines.filter { line in !allowed.contains { line.hasPrefix($0 + " ") || line.hasPrefix($0 + ":") } }
        }
        let a = filtered(refLines), b = filtered(ourLines)
        XCTAssertGreaterThan(a.count, 3_000)
        if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first difference at line \(i): reference «\(a[i].prefix(300))» ours «\(b[i].prefix(300))»")
        }
        XCTAssertEqual(a.count, b.count)
        // The one SiLU instance is shared by all 63 Convs in both (written once, then 62 memo references).
        XCTAssertEqual(refLines.filter { $0.hasSuffix("= <shared model.model.0.act>") }.count, 62)
        XCTAssertEqual(ourLines.filter { $0.hasSuffix("= <shared model.model.0.act>") }.count, 62)
    }

    private func pairs(_ value: PickleValue?) -> [(String, PickleTerm)] {
        (value?.dictValue ?? []).map { ($0.0.stringValue ?? "?", PickleTerm($0.1)) }
    }

    /// One line per module/object (class), attribute (name and value or type) and tensor (dtype, shape); objects
    /// met again (shared instances) are written as `<shared first-path>`.
    static func skeleton(_ value: PickleValue, path: String, into lines: inout [String],
                         seen: inout [ObjectIdentifier: String]) {
        switch value {
        case .object(let o):
            let id = ObjectIdentifier(o)
            if let first = seen[id] { lines.append("\(path) = <shared \(first)>"); return }
            seen[id] = path
            lines.append("\(path): \(o.qualifiedName) args=\(o.args.count) state=\(o.state?.typeName ?? "-")")
            for (k, v) in o.attributes {
                let key = k.stringValue ?? "?"
                if ["_modules", "_parameters", "_buffers"].contains(key), let items = v.dictValue {
                    lines.append("\(path).\(key) keys=\(items.compactMap { $0.0.stringValue ?? $0.0.intValue.map(String.init) })")
                    for (name, child) in items {
                        skeleton(child, path: "\(path).\(name.stringValue ?? "?")", into: &lines, seen: &seen)
                    }
                } else {
                    skeleton(v, path: "\(path).\(key)", into: &lines, seen: &seen)
                }
            }
        case .dict(let items) where items.contains(where: { $0.1.objectValue != nil || $0.1.dictValue != nil }):
            lines.append("\(path): dict keys=\(items.map { render($0.0) })")
            for (k, v) in items {
                let key = k.stringValue ?? render(k)
                skeleton(v, path: path.isEmpty ? key : "\(path).\(key)", into: &lines, seen: &seen)
            }
        default:
            lines.append("\(path) = \(render(value))")
        }
    }

    static func render(_ v: PickleValue) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return "\(d)f"
        case .string(let s): return "'\(s)'"
        case .bytes(let d): return "b<\(d.count)>"
        case .list(let l): return "[" + l.map(render).joined(separator: ", ") + "]"
        case .tuple(let l): return "(" + l.map(render).joined(separator: ", ") + ")"
        case .set(let l): return "set(" + l.map(render).joined(separator: ", ") + ")"
        case .dict(let items): return "{" + items.map { "\(render($0.0)): \(render($0.1))" }.joined(separator: ", ") + "}"
        case .tensor(let t): return "tensor<\(t.dtype) \(t.shape)>"
        case .global(let m, let n): return "global \(m).\(n)"
        case .object(let o): return "<\(o.qualifiedName)>"
        }
    }
}
