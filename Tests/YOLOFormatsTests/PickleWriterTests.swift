import Foundation
import XCTest
@testable import YOLOFormats

final class PickleWriterTests: XCTestCase {
    /// Writes `term` (no tensors) and decodes it with the non-executing reader.
    private func roundTrip(_ term: PickleTerm) throws -> PickleValue {
        let (pickle, storages) = PickleWriter.encode(term)
        XCTAssertTrue(storages.isEmpty)
        return try Pickle.decode(pickle, name: "written.pkl")
    }

    func testScalarsRoundTrip() throws {
        let ints = [0, 1, 255, 256, 65_535, 65_536, -1, -256, Int(Int32.min), Int(Int32.max), Int(Int32.max) + 1,
                    Int(Int32.min) - 1, 1 << 40, -(1 << 40), Int.max, Int.min, 0x80, -0x80, 0x8000, -0x8001]
        let back = try roundTrip(.list(ints.map { .int($0) }))
        XCTAssertEqual(back.arrayValue?.compactMap(\.intValue), ints)
        let floats = [0.0, -0.0, 1.5, -2.25, 1e-300, 1e300, Double.infinity, -Double.infinity]
        let fb = try roundTrip(.tuple(floats.map { .float($0) }))
        XCTAssertEqual(fb.arrayValue?.compactMap(\.doubleValue), floats)
        let nan = try roundTrip(.float(.nan))
        XCTAssertTrue(nan.doubleValue?.isNaN == true)
        XCTAssertTrue(try roundTrip(.none).isNone)
        XCTAssertEqual(try roundTrip(.bool(true)).boolValue, true)
        XCTAssertEqual(try roundTrip(.bool(false)).boolValue, false)
        XCTAssertEqual(try roundTrip(.string("héllo ✓ \u{0}")).stringValue, "héllo ✓ \u{0}")
        XCTAssertEqual(try roundTrip(.string("")).stringValue, "")
        XCTAssertEqual(try roundTrip(.float32(Float(1e-3))).doubleValue, 0.001)
        if case .bytes(let d) = try roundTrip(.bytes(Data([0, 1, 200, 255]))) { XCTAssertEqual([UInt8](d), [0, 1, 200, 255]) }
        else { XCTFail("bytes not decoded") }
        if case .bytes(let d) = try roundTrip(.bytes(Data())) { XCTAssertTrue(d.isEmpty) } else { XCTFail("empty bytes") }
    }

    func testContainersRoundTrip() throws {
        let term: PickleTerm = [
            "list": [1, "a", nil, [true, false]],
            "tuples": .tuple([.tuple([]), .tuple([1]), .tuple([1, 2]), .tuple([1, 2, 3]), .tuple([1, 2, 3, 4])]),
            0: "int key",
            "ordered": .orderedDict([("b", 1), ("a", 2)]),
            "empty_ordered": .orderedDict([]),
            "set": .set([3, 4]),
            "empty": .dict([]),
            "one": .dict([("k", .list([7]))]),
        ]
        let v = try roundTrip(term)
        XCTAssertEqual(v.dictValue?.count, 8)
        XCTAssertEqual(v["list"]?.arrayValue?.count, 4)
        XCTAssertEqual(v["list"]?.arrayValue?[1].stringValue, "a")
        XCTAssertTrue(v["list"]?.arrayValue?[2].isNone == true)
        XCTAssertEqual(v["list"]?.arrayValue?[3].arrayValue?.compactMap(\.boolValue), [true, false])
        XCTAssertEqual(v["tuples"]?.arrayValue?.map { $0.arrayValue?.count ?? -1 }, [0, 1, 2, 3, 4])
        XCTAssertEqual(v[intKey: 0]?.stringValue, "int key")
        XCTAssertEqual(v["ordered"]?.dictValue?.compactMap { $0.0.stringValue }, ["b", "a"])
        XCTAssertEqual(v["empty_ordered"]?.dictValue?.count, 0)
        if case .set(let s)? = v["set"] { XCTAssertEqual(s.compactMap(\.intValue), [3, 4]) } else { XCTFail("set") }
        XCTAssertEqual(v["one"]?["k"]?.arrayValue?.compactMap(\.intValue), [7])
    }

    func testLongContainersAreBatchedLikePython() throws {
        let n = 2_345
        let (pickle, _) = PickleWriter.encode(.list([PickleTerm](repeating: .none, count: n)))
        // Three batches of at most 1000: MARK … APPENDS each, the 345 tail too.
        let full: [UInt8] = [0x28] + [UInt8](repeating: 0x4E, count: 1_000) + [0x65]
        let tail: [UInt8] = [0x28] + [UInt8](repeating: 0x4E, count: 345) + [0x65]
        let expected: [UInt8] = [0x80, 2, 0x5D, 0x71, 0] + full + full + tail + [0x2E]
        XCTAssertEqual([UInt8](pickle), expected)
        let ints = try roundTrip(.list((0..<n).map { .int($0) }))
        XCTAssertEqual(ints.arrayValue?.compactMap(\.intValue), Array(0..<n))
        let dict = try roundTrip(.dict((0..<1_001).map { (.int($0), .string("v\($0 % 3)")) }))
        XCTAssertEqual(dict.dictValue?.count, 1_001)
        XCTAssertEqual(dict[intKey: 1_000]?.stringValue, "v1")
    }

    func testSharedInstanceIsWrittenOnceAndDecodesAsOneObject() throws {
        let silu = PickleInstance(module: "torch.nn.modules.activation", name: "SiLU",
                                  attributes: [("training", false), ("inplace", false)])
        let term: PickleTerm = ["a": .instance(silu), "b": .instance(silu), "c": [.instance(silu)]]
        let (pickle, _) = PickleWriter.encode(term)
        let text = String(decoding: pickle, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "SiLU").count - 1, 1, "class written once")
        XCTAssertEqual(text.components(separatedBy: "inplace").count - 1, 1, "state written once")
        let v = try Pickle.decode(pickle)
        let a = try XCTUnwrap(v["a"]?.objectValue), b = try XCTUnwrap(v["b"]?.objectValue)
        let c = try XCTUnwrap(v["c"]?.arrayValue?.first?.objectValue)
        XCTAssertTrue(a === b && b === c, "memo references resolve to the same object")
        XCTAssertEqual(a.qualifiedName, "torch.nn.modules.activation.SiLU")
        XCTAssertEqual(a["inplace"]?.boolValue, false)
        XCTAssertTrue(a.args.isEmpty)
    }

    func testRepeatedStringsAndGlobalsUseTheMemo() throws {
        let (pickle, _) = PickleWriter.encode(["training": ["training", "training"], "g": [
            .global(module: "builtins", name: "set"), .global(module: "builtins", name: "set"), .set([])]])
        let text = String(decoding: pickle, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "training").count - 1, 1)
        // Protocol 2 names builtins as Python 2 did, once.
        XCTAssertEqual(text.components(separatedBy: "__builtin__\nset\n").count - 1, 1)
        XCTAssertFalse(text.contains("builtins"))
        let v = try Pickle.decode(pickle)
        if case .global(let m, let n)? = v["g"]?.arrayValue?.first { XCTAssertEqual("\(m).\(n)", "builtins.set") }
        else { XCTFail("global") }
    }

    func testMemoIndicesPast255UseLongOpcodes() throws {
        // 300 distinct strings, then each again: the repeats need LONG_BINGET for indices ≥ 256.
        let names = (0..<300).map { PickleTerm.string("s\($0)") }
        let (pickle, _) = PickleWriter.encode(.list(names + names.reversed()))
        XCTAssertTrue(pickle.contains(0x6A) && pickle.contains(0x72))
        let v = try Pickle.decode(pickle)
        let strings = v.arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertEqual(strings.count, 600)
        XCTAssertEqual(strings[300], "s299")
        XCTAssertEqual(strings[599], "s0")
    }

    func testCallInstancesKeepArgumentsAndState() throws {
        let ns = PickleInstance(module: "ultralytics.utils", name: "IterableSimpleNamespace", construction: .call([]),
                                attributes: [("imgsz", 640), ("task", "pose")])
        let reduced = PickleInstance(module: "pathlib", name: "PosixPath", construction: .call(["/tmp", "x.pt"]))
        let v = try roundTrip(["args": .instance(ns), "path": .instance(reduced)])
        let o = try XCTUnwrap(v["args"]?.objectValue)
        XCTAssertEqual(o.qualifiedName, "ultralytics.utils.IterableSimpleNamespace")
        XCTAssertEqual(o["imgsz"]?.intValue, 640)
        let p = try XCTUnwrap(v["path"]?.objectValue)
        XCTAssertEqual(p.args.compactMap(\.stringValue), ["/tmp", "x.pt"])
        XCTAssertNil(p.state)
    }

    func testDecodedValuesConvertBackToTerms() throws {
        let original: PickleTerm = ["a": [1, 2.5, "x", nil], "t": .tuple([true]), "n": .dict([(0, "person")])]
        let once = try roundTrip(original)
        let twice = try roundTrip(PickleTerm(once))
        XCTAssertEqual(PickleWriter.encode(PickleTerm(twice)).pickle, PickleWriter.encode(original).pickle)
    }
}
