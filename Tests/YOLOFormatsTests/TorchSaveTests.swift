import Foundation
import XCTest
@testable import YOLOFormats

final class TorchSaveTests: XCTestCase {
    /// The object of Scripts/reference/make_checkpoint_fixtures.py, as a term.
    private func referenceValues() -> PickleTerm {
        let ns = PickleInstance(module: "types", name: "SimpleNamespace", construction: .call([]),
                                attributes: [("task", "pose"), ("imgsz", 640)])
        let ints = [0, 255, 256, 65_535, 65_536, -1, -(1 << 31), (1 << 31) - 1, 1 << 31, -(1 << 31) - 1, 1 << 40, Int.min, Int.max]
        return [
            "ints": .list(ints.map { .int($0) }),
            "floats": [0.0, -1.5, 0.001, 1e300, .float(.infinity)],
            "none": nil,
            "flags": .tuple([true, false]),
            "text": "héllo ✓",
            "repeat": ["text", "text"],
            "tuples": .tuple([.tuple([]), .tuple([1]), .tuple([1, 2]), .tuple([1, 2, 3]), .tuple([1, 2, 3, 4])]),
            "names": [0: "person", 1: "dog"],
            "ordered": .orderedDict([("a", 1), ("b", [2])]),
            "empty_set": .set([]),
            "ns": .instance(ns),
            "ns_again": .instance(ns),
            "t16": .tensor(StoredTensor(shape: [2, 3], floats: [1.5, -2, 3.25, 0, 65_504, -0.5], dtype: .float16)),
            "t32": .tensor(StoredTensor(shape: [4], floats: [0, 1, 2, 3], dtype: .float32)),
            "scalar": .tensor(StoredTensor(shape: [], floats: [7], dtype: .int64)),
            "empty": .tensor(StoredTensor(shape: [0], floats: [], dtype: .float16)),
            "param": .parameter(StoredTensor(shape: [2, 1, 1, 2], floats: [1, 1, 1, 1], dtype: .float16), requiresGrad: false),
            "param_grad": .parameter(StoredTensor(shape: [3], floats: [0.25, 0.25, 0.25], dtype: .float32), requiresGrad: true),
        ]
    }

    /// torch.save wrote the fixture; ours must have the same pickle, records, offsets and payloads. Only the first
    /// half of `.data/serialization_id` (a hash of the record names in torch's own order) may differ.
    func testArchiveMatchesTorchSaveByteForByte() throws {
        let url = FormatFixtures.fixtures.appendingPathComponent("checkpoint/torch-save-values.pt")
        let reference = try Data(contentsOf: url)
        let ours = try TorchSave.encode(referenceValues(), archiveName: TorchSave.archiveName(for: url))
        let a = try ZipArchive(data: reference, fileName: "reference"), b = try ZipArchive(data: ours, fileName: "ours")
        XCTAssertEqual(b.entries.map(\.name), a.entries.map(\.name))
        XCTAssertEqual(b.entries.map(\.localHeaderOffset), a.entries.map(\.localHeaderOffset))
        for (x, y) in zip(a.entries, b.entries) {
            let px = try a.payload(of: x), py = try b.payload(of: y)
            if x.name.hasSuffix("serialization_id") {
                XCTAssertEqual(py.count, 40)
                XCTAssertEqual(py.suffix(20), px.suffix(20), "CRC half of the serialization id")
            } else {
                XCTAssertEqual(py, px, "payload of \(x.name)")
            }
        }
        XCTAssertEqual(ours.count, reference.count)
        // Outside the serialization id record, its CRC and the directory entries pointing at it, bytes are equal.
        let differing = zip(reference, ours).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        XCTAssertLessThanOrEqual(differing.count, 20 + 4 + 4 + 4, "differing byte offsets: \(differing.prefix(40))")
    }

    func testTensorsRoundTripThroughTheReader() throws {
        let f16 = StoredTensor(shape: [2, 3], floats: [1, -2, 0.5, 65_504, -0.0, 3.140625], dtype: .float16)
        let i64 = StoredTensor(shape: [], floats: [12_345], dtype: .int64)
        let empty = StoredTensor(shape: [3, 0], floats: [], dtype: .float32)
        let term: PickleTerm = ["a": .tensor(f16), "b": .parameter(i64, requiresGrad: false), "c": .tensor(empty),
                                "d": .tensor(f16)]
        let data = try TorchSave.encode(term)
        let file = try TorchFile.load(data: data, url: URL(fileURLWithPath: "/x/mem.pt"))
        XCTAssertEqual(file.archiveRoot, "archive")
        XCTAssertEqual(file.root["a"]?.tensorValue, f16)
        XCTAssertEqual(file.root["b"]?.tensorValue, i64)
        XCTAssertEqual(file.root["c"]?.tensorValue?.shape, [3, 0])
        XCTAssertEqual(file.root["d"]?.tensorValue, f16)
        let zip = try ZipArchive(data: data, fileName: "mem")
        XCTAssertEqual(zip.entries.map(\.name), ["archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
                                                 "archive/byteorder", "archive/data/0", "archive/data/1", "archive/data/2",
                                                 "archive/data/3", "archive/version", "archive/.data/serialization_id"])
        for entry in zip.entries {
            XCTAssertEqual(try zip.payloadRange(of: entry).lowerBound % 64, 0, "\(entry.name) is 64-byte aligned")
        }
        XCTAssertEqual(PickleWriter.contiguousStrides([3, 0, 2]), [2, 2, 1])
    }

    func testAtomicWriteReplacesTheFileAndLeavesNoTemporaries() throws {
        let dir = try FormatFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("best.pt")
        try Data("old".utf8).write(to: url)
        try TorchSave.write(["epoch": 3], to: url)
        let file = try TorchFile.load(url)
        XCTAssertEqual(file.archiveRoot, "best")
        XCTAssertEqual(file.root["epoch"]?.intValue, 3)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["best.pt"])

        // A failure while writing keeps the previous file and removes the temporary one.
        struct Interrupted: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: url) { sink in
            try sink.write(Data(repeating: 1, count: 3 << 20))
            throw Interrupted()
        })
        XCTAssertEqual(try TorchFile.load(url).root["epoch"]?.intValue, 3)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["best.pt"])

        let missing = dir.appendingPathComponent("no/such/dir/last.pt")
        XCTAssertThrowsError(try TorchSave.write(nil, to: missing)) { error in
            XCTAssertTrue("\(error)".hasPrefix("last.pt: cannot write file"), "\(error)")
        }
    }

    func testArchiveNamesFollowTorch() {
        XCTAssertEqual(TorchSave.archiveName(for: URL(fileURLWithPath: "/a/last.pt")), "last")
        XCTAssertEqual(TorchSave.archiveName(for: URL(fileURLWithPath: "/a/a.b.pt")), "a.b")
        XCTAssertEqual(TorchSave.archiveName(for: URL(fileURLWithPath: "/a/noext")), "noext")
        XCTAssertEqual(TorchSave.archiveName(for: URL(fileURLWithPath: "/a/ünï.pt")), "archive")
    }

    func testCRC32() {
        XCTAssertEqual(CRC32.checksum(Data("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Data()), 0)
        XCTAssertEqual(CRC32.checksum(Data("1".utf8)), 0x83DC_EFB7)  // torch's .format_version record
    }
}
