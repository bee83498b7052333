import Foundation
import XCTest
import YOLOTestSupport

/// Hostile inputs (issue 9) against the built binary: every case of `Tests/Fixtures/hostile/cases.json` (made by
/// Scripts/hostile/make_hostile.py — crafted zips, pickles, images, model/data YAMLs, labels and arguments) must end
/// with its exit code and a message naming the file or argument, under a 3 GB address-space limit and a time limit:
/// no signal, no hang, no runaway allocation.
final class HostileInputTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let args: [String]
        let exit: Int32
        let message: String
    }

    static let addressSpaceLimit = 3 << 30
    static let secondsLimit = 120

    /// Runs `binary args` under the address-space limit, killed after the time limit.
    func limitedRun(_ binary: String, _ args: [String], cwd: URL? = nil) throws -> YOLOBinary.Run {
        try YOLOBinary.run(["--signal=KILL", "\(Self.secondsLimit)", "/usr/bin/prlimit", "--as=\(Self.addressSpaceLimit)",
                            "--", binary] + args, cwd: cwd, testClass: Self.self, executable: "/usr/bin/timeout")
    }

    func testEveryHostileInputEndsCleanly() throws {
        // The corpus is copied: val writes label caches beside the labels, and the repository is never written.
        let work = try TempDirectory.make(for: self, prefix: "hostile")
        let corpus = work.appendingPathComponent("corpus")
        try FileManager.default.copyItem(at: Fixtures.url("hostile"), to: corpus)
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: corpus.appendingPathComponent("cases.json")))
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        let binary = try YOLOBinary.url(for: Self.self).path
        for (n, c) in cases.enumerated() {
            let tmp = work.appendingPathComponent("run\(n)")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            let args = c.args.map {
                $0.replacingOccurrences(of: "{corpus}", with: corpus.path)
                    .replacingOccurrences(of: "{fixtures}", with: Fixtures.directory.path)
                    .replacingOccurrences(of: "{tmp}", with: tmp.path)
            }
            let start = Date()
            let run = try limitedRun(binary, args, cwd: tmp)
            let seconds = Date().timeIntervalSince(start)
            let lines = (run.stdout + "\n" + run.stderr).split(separator: "\n").map(String.init)
            let context = "\(c.name): exit \(run.status) after \(String(format: "%.1f", seconds)) s; last lines: "
                + lines.suffix(3).joined(separator: " | ").prefix(600)
            XCTAssertEqual(run.status, c.exit, context)
            XCTAssertTrue(lines.contains { $0.contains(c.message) }, "expected '\(c.message)' — " + context)
            if c.exit != 0 {
                // A failed run leaves no empty run folder behind (the cases put their runs in `tmp`).
                let fm = FileManager.default
                let entries = fm.subpaths(atPath: tmp.path) ?? []
                let hasFiles = entries.contains {
                    var isDir: ObjCBool = false
                    return fm.fileExists(atPath: tmp.appendingPathComponent($0).path, isDirectory: &isDir) && !isDir.boolValue
                }
                XCTAssertTrue(entries.isEmpty || hasFiles, "empty folders \(entries) left by a failed run — " + context)
                let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
                XCTAssertEqual(errors.count, 1, "one error line — " + context)
                XCTAssertLessThan(errors.first?.count ?? 0, 1_000, "error line length — " + context)
            }
        }
    }

    /// Every saved fuzzer input (Fuzz/corpus, made by Scripts/fuzz/make_seeds.py, plus what fuzzing runs kept) goes
    /// through its harness in the normal build of `yolo-fuzz`; a parser change that crashes on one fails here.
    func testFuzzCorporaReplayWithoutCrash() throws {
        let corpus = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus")
        let harnesses = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        XCTAssertEqual(harnesses, ["checkpoint", "cli", "data-yaml", "image", "labels", "model-yaml", "pickle",
                                   "safetensors", "zip"])
        for h in harnesses {
            let count = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(h).path).count
            let run = try limitedRun(try YOLOBinary.url(for: Self.self, named: "yolo-fuzz").path,
                                     [h, corpus.appendingPathComponent(h).path])
            XCTAssertEqual(run.status, 0, "\(h): \(run.stdout.suffix(300)) \(run.stderr.suffix(600))")
            XCTAssertEqual(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(h): \(count) inputs, no crash")
        }
    }

    /// A label cache whose fingerprint still matches but whose records were edited (short arrays, a class of 1e30,
    /// NaN) is scanned again, with a warning, instead of trusted.
    func testTamperedLabelCacheIsRescanned() throws {
        let work = try TempDirectory.make(for: self, prefix: "hostile-cache")
        let ds = work.appendingPathComponent("ds")
        try FileManager.default.copyItem(at: Fixtures.url("hostile/ds-ok"), to: ds)
        let args = ["pose", "val", "model=\(Fixtures.path("tiny-k5-pose.pt"))", "data=\(ds.path)/data.yaml", "imgsz=64",
                    "project=\(work.path)", "plots=False", "exist_ok=True"]
        let first = try YOLOBinary.run(args, cwd: work, testClass: Self.self)
        XCTAssertEqual(first.status, 0, first.stderr)
        let cache = ds.appendingPathComponent("labels/val.swift.cache")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: cache)) as? [String: Any])
        var labels = try XCTUnwrap(json["labels"] as? [[String: Any]])
        labels[0]["cls"] = [1e30, 0]
        labels[0]["boxes"] = [0.5]
        json["labels"] = labels
        let attributes = try FileManager.default.attributesOfItem(atPath: cache.path)
        try JSONSerialization.data(withJSONObject: json).write(to: cache)
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: cache.path)
        let second = try YOLOBinary.run(args, cwd: work, testClass: Self.self)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("cache does not match its labels (edited or damaged), scanning again"),
                      second.stderr)
        XCTAssertEqual(second.stdout.components(separatedBy: "\n").filter { $0.contains("  all ") }.count, 1)
    }
}
