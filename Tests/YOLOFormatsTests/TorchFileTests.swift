import Foundation
import XCTest
@testable import YOLOFormats

final class TorchFileTests: XCTestCase {
    func testTensorsMatchGenerator() throws {
        let file = try TorchFile.load(FormatFixtures.url("tensors.pt"))
        XCTAssertEqual(file.archiveRoot, "tensors")
        let expected = try XCTUnwrap(FormatFixtures.json("tensors.json") as? [String: [String: Any]])
        let tensors = try XCTUnwrap(file.root["tensors"])
        XCTAssertEqual(tensors.dictValue?.count, expected.count)
        for (key, info) in expected {
            let tensor = try XCTUnwrap(tensors[key]?.tensorValue, key)
            XCTAssertEqual(tensor.shape, info["shape"] as? [Int], key)
            XCTAssertEqual(tensor.dtype.rawValue, info["dtype"] as? String, key)
            XCTAssertEqual(tensor.bytes.count, tensor.count * tensor.dtype.itemSize, key)
            let values = try XCTUnwrap(info["values"] as? [Double], key).map { Float($0) }
            XCTAssertEqual(tensor.floats(), values, key)
        }
        XCTAssertEqual(tensors["i64"]?.tensorValue?.ints(), [1, -2, 3, 1 << 40])
        XCTAssertEqual(tensors["scalar"]?.tensorValue?.shape, [])
        XCTAssertEqual(tensors["scalar"]?.tensorValue?.ints(), [5])
        XCTAssertEqual(file.root["same"]?.tensorValue, tensors["f32"]?.tensorValue)
        XCTAssertEqual(file.root["meta"]?["version"]?.intValue, 3)
    }

    func testUltralyticsFixtureIsNotRequiredToBeADict() throws {
        assertCheckpointError(try UltralyticsCheckpoint(contentsOf: FormatFixtures.url("tensors.pt")),
                              file: "tensors.pt", contains: ["no 'model' or 'ema' entry"])
    }

    func testMissingStorageNamesEntryAndTensor() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("tensors-missing-storage.pt")),
                              file: "tensors-missing-storage.pt",
                              contains: ["entry 'tensors-missing-storage/data/0' missing for tensor tensors.f16"])
    }

    func testDeflatedEntriesAreRejected() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("tensors-deflated.zip")),
                              file: "tensors-deflated.zip", contains: ["unsupported compression method 8"])
    }

    func testLegacyFormatIsRejected() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("legacy.pt")), file: "legacy.pt",
                              contains: ["not a zip-format PyTorch checkpoint (legacy torch format unsupported)"])
    }

    func testPlainZipIsNotACheckpoint() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("not-checkpoint.zip")), file: "not-checkpoint.zip",
                              contains: ["not a PyTorch checkpoint (no data.pkl entry)"])
    }

    func testGarbageIsRejected() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("garbage.pt")), file: "garbage.pt",
                              contains: ["not a zip archive"])
        assertCheckpointError(try UltralyticsCheckpoint(contentsOf: FormatFixtures.url("garbage.pt")), file: "garbage.pt",
                              contains: ["not a zip archive"])
    }

    func testMissingFile() {
        assertCheckpointError(try TorchFile.load(FormatFixtures.url("does-not-exist.pt")), file: "does-not-exist.pt",
                              contains: ["no such file"])
    }

    func testTruncatedFiles() throws {
        let data = try Data(contentsOf: FormatFixtures.url("tensors.pt"))
        let dir = try FormatFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("best.pt")
        try data.prefix(data.count / 2).write(to: url)
        assertCheckpointError(try TorchFile.load(url), file: "best.pt", contains: ["truncated file"])
        try data.prefix(3).write(to: url)
        assertCheckpointError(try TorchFile.load(url), file: "best.pt", contains: ["not a zip archive"])
        // Every cut point must produce an error, never a crash.
        for cut in stride(from: 0, to: data.count, by: 97) {
            XCTAssertThrowsError(try TorchFile.load(data: data.prefix(cut), url: url), "cut \(cut)")
        }
    }

    func testCentralDirectoryBeyondEndIsTruncation() throws {
        var data = try Data(contentsOf: FormatFixtures.url("tensors.pt"))
        // Point the EOCD's central-directory offset past the end of the file.
        let eocd = try XCTUnwrap((0...(data.count - 22)).reversed().first { i in
            data[i] == 0x50 && data[i + 1] == 0x4B && data[i + 2] == 0x05 && data[i + 3] == 0x06
        })
        let isZip64 = eocd >= 20 && data[eocd - 20] == 0x50 && data[eocd - 19] == 0x4B && data[eocd - 18] == 0x06
        if isZip64 {
            // torch always writes ZIP64 records: patch the offset in the ZIP64 end-of-central-directory record.
            let z64 = Int(data[eocd - 12]) | Int(data[eocd - 11]) << 8 | Int(data[eocd - 10]) << 16
            data.replaceSubrange((z64 + 48)..<(z64 + 56), with: [0xF0, 0xFF, 0xFF, 0, 0, 0, 0, 0])
        } else {
            data.replaceSubrange((eocd + 16)..<(eocd + 20), with: [0xF0, 0xFF, 0xFF, 0x00])
        }
        let url = URL(fileURLWithPath: "/tmp/x.pt")
        assertCheckpointError(try TorchFile.load(data: data, url: url), file: "x.pt",
                              contains: ["truncated file (expected", "bytes of zip central directory, found 0)"])
    }

    func testCorruptedBytesNeverCrash() throws {
        let original = try Data(contentsOf: FormatFixtures.url("tensors.pt"))
        var rng = SystemRandomNumberGenerator()
        let url = URL(fileURLWithPath: "/tmp/fuzz.pt")
        for _ in 0..<300 {
            var data = original
            for _ in 0..<4 {
                let i = Int.random(in: 0..<data.count, using: &rng)
                data[i] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? TorchFile.load(data: data, url: url)
        }
    }

    func testStridedGather() {
        // 2x3 view with strides (1, 2) over a 6-element storage = transpose of a 3x2 matrix.
        let src: [UInt8] = [0, 1, 2, 3, 4, 5]
        var dst = [UInt8](repeating: 0, count: 6)
        src.withUnsafeBytes { s in
            dst.withUnsafeMutableBytes { d in
                TorchFile.gather(into: d.baseAddress!, from: s.baseAddress!, size: [2, 3], stride: [1, 2], offset: 0, itemSize: 1)
            }
        }
        XCTAssertEqual(dst, [0, 2, 4, 1, 3, 5])
        XCTAssertTrue(TorchFile.isContiguous([2, 1, 3], [3, 99, 1]))
        XCTAssertFalse(TorchFile.isContiguous([2, 3], [1, 2]))
    }
}
