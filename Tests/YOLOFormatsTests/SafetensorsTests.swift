import Foundation
import XCTest
@testable import YOLOFormats

final class SafetensorsTests: XCTestCase {
    private func sample() -> [(key: String, tensor: StoredTensor)] {
        [
            ("b.weight", StoredTensor(shape: [2, 2], floats: [1, -2, 0.5, 65504], dtype: .float16)),
            ("a.bias", StoredTensor(shape: [3], floats: [0.1, 0.2, 0.3])),
            ("z.count", StoredTensor(shape: [], dtype: .int64, bytes: Data([7, 0, 0, 0, 0, 0, 0, 0]))),
            ("quote\"d", StoredTensor(shape: [1], floats: [3], dtype: .bfloat16)),
            ("empty", StoredTensor(shape: [0, 4], floats: [])),
        ]
    }

    func testRoundTripKeepsOrderValuesAndMetadata() throws {
        let dir = try FormatFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.safetensors")
        let metadata = ["format": "pt", "note": "line\nbreak \"q\""]
        try Safetensors.write(sample(), metadata: metadata, to: url)
        try Safetensors.write(sample(), metadata: metadata, to: url) // overwrite atomically
        let (tensors, meta) = try Safetensors.read(url)
        XCTAssertEqual(meta, metadata)
        XCTAssertEqual(tensors.map(\.key), sample().map(\.key))
        for (got, want) in zip(tensors, sample()) { XCTAssertEqual(got.tensor, want.tensor, got.key) }
        XCTAssertEqual(tensors[0].tensor.floats(), [1, -2, 0.5, 65504])
        XCTAssertEqual(tensors[2].tensor.ints(), [7])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w.safetensors"])
        let headerLength = Int(try Data(contentsOf: url).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual(headerLength % 8, 0)
    }

    func testCorruptFiles() throws {
        let good = Safetensors.encode(sample(), metadata: [:])
        assertCheckpointError(try Safetensors.read(data: good.prefix(5), name: "a.safetensors"),
                              file: "a.safetensors", contains: ["truncated file", "8-byte"])
        assertCheckpointError(try Safetensors.read(data: good.prefix(40), name: "a.safetensors"),
                              file: "a.safetensors", contains: ["truncated file", "bytes of safetensors header"])
        assertCheckpointError(try Safetensors.read(data: good.prefix(good.count - 3), name: "a.safetensors"),
                              file: "a.safetensors", contains: ["truncated file", "empty"].dropLast())
        var badJSON = good
        badJSON[8] = UInt8(ascii: "[")
        assertCheckpointError(try Safetensors.read(data: badJSON, name: "b.safetensors"),
                              file: "b.safetensors", contains: ["invalid safetensors file", "JSON"])
        func file(_ header: String, dataBytes: Int) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(Data(header.utf8))
            d.append(Data(count: dataBytes))
            return d
        }
        assertCheckpointError(try Safetensors.read(data: file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 8),
                                                   name: "c.safetensors"),
                              file: "c.safetensors", contains: ["'x'", "needs 8"])
        assertCheckpointError(try Safetensors.read(data: file(#"{"x":{"dtype":"Q9","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 8),
                                                   name: "d.safetensors"),
                              file: "d.safetensors", contains: ["'x'", "dtype"])
        assertCheckpointError(try Safetensors.read(data: file(#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8),
                                                   name: "e.safetensors"),
                              file: "e.safetensors", contains: ["truncated file", "'x'"])
        assertCheckpointError(try Safetensors.read(data: file(#"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, dataBytes: 8),
                                                   name: "f.safetensors"),
                              file: "f.safetensors", contains: ["invalid shape"])
        assertCheckpointError(try Safetensors.read(URL(fileURLWithPath: "/nonexistent/g.safetensors")),
                              file: "g.safetensors", contains: ["cannot read"])
    }

    func testWriteFailureNamesFile() {
        assertCheckpointError(try Safetensors.write(sample(), metadata: [:], to: URL(fileURLWithPath: "/nonexistent-dir/h.safetensors")),
                              file: "h.safetensors", contains: ["cannot write"])
    }

    func testCheckpointToSafetensors() throws {
        let ckpt = try UltralyticsCheckpoint(contentsOf: FormatFixtures.url("tiny-pose.pt"))
        let data = Safetensors.encode(ckpt.stateDict, metadata: ["task": "pose"])
        let (tensors, meta) = try Safetensors.read(data: data, name: "x.safetensors")
        XCTAssertEqual(meta["task"], "pose")
        XCTAssertEqual(tensors.map(\.key), ckpt.stateDict.map(\.key))
        for (a, b) in zip(tensors, ckpt.stateDict) { XCTAssertEqual(a.tensor, b.tensor) }
    }
}
