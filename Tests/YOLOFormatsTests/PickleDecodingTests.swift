import Foundation
import XCTest
@testable import YOLOFormats

final class PickleDecodingTests: XCTestCase {
    func testAllValueKindsForEveryProtocol() throws {
        for proto in [0, 2, 4, 5] {
            let name = "values-p\(proto).pkl"
            let value = try Pickle.decode(Data(contentsOf: FormatFixtures.url(name)), name: name)
            try checkValues(value, proto: proto)
        }
    }

    private func checkValues(_ v: PickleValue, proto: Int) throws {
        let ctx = "protocol \(proto)"
        XCTAssertEqual(v.dictValue?.first?.0.stringValue, "none", ctx)
        XCTAssertTrue(try XCTUnwrap(v["none"]).isNone, ctx)
        XCTAssertEqual(v["true"]?.boolValue, true, ctx)
        XCTAssertEqual(v["false"]?.boolValue, false, ctx)
        XCTAssertEqual(v["small"]?.intValue, 7, ctx)
        XCTAssertEqual(v["int2"]?.intValue, 300, ctx)
        XCTAssertEqual(v["neg"]?.intValue, -5, ctx)
        XCTAssertEqual(v["int32"]?.intValue, -2_000_000, ctx)
        XCTAssertEqual(v["big"]?.intValue, 1 << 40, ctx)
        XCTAssertEqual(v["negbig"]?.intValue, -(1 << 62), ctx)
        if proto >= 2 {
            XCTAssertEqual(v["huge"]?.objectValue?.qualifiedName, "builtins.int", ctx)
        }
        XCTAssertEqual(v["float"]?.doubleValue, 1.5, ctx)
        XCTAssertEqual(v["negfloat"]?.doubleValue, -0.25, ctx)
        XCTAssertEqual(v["str"]?.stringValue, "héllo ✓", ctx)
        XCTAssertEqual(v["empty_str"]?.stringValue, "", ctx)
        if case .bytes(let b)? = v["bytes"] { XCTAssertEqual([UInt8](b), [0, 1, 255], ctx) } else if proto > 0 {
            XCTFail("bytes not decoded for \(ctx): \(String(describing: v["bytes"]))")
        }
        guard case .list(let list)? = v["list"] else { return XCTFail("list \(ctx)") }
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual(list[0].intValue, 1)
        XCTAssertEqual(list[1].stringValue, "a")
        XCTAssertTrue(list[2].isNone)
        guard case .tuple(let tuple)? = v["tuple"] else { return XCTFail("tuple \(ctx)") }
        XCTAssertEqual(tuple.map { $0.doubleValue ?? -1 }.prefix(2), [1, 2])
        XCTAssertEqual(tuple[2].stringValue, "x")
        XCTAssertEqual(v["tuple1"]?.arrayValue?.compactMap(\.intValue), [9], ctx)
        XCTAssertEqual(v["tuple4"]?.arrayValue?.compactMap(\.intValue), [1, 2, 3, 4], ctx)
        XCTAssertEqual(v["empty_tuple"]?.arrayValue?.count, 0, ctx)
        XCTAssertEqual(v["nested"]?["k"]?.arrayValue?[1]["x"]?.arrayValue?.compactMap(\.boolValue), [true, false], ctx)
        XCTAssertEqual(v["intkeys"]?[intKey: 1]?.stringValue, "dog", ctx)
        if case .set(let s)? = v["set"] { XCTAssertEqual(s.compactMap(\.intValue), [3], ctx) } else { XCTFail("set \(ctx)") }
        if case .set(let s)? = v["frozenset"] { XCTAssertEqual(s.compactMap(\.intValue), [4], ctx) } else { XCTFail("frozenset \(ctx)") }
        let odict = try XCTUnwrap(v["odict"]?.dictValue, ctx)
        XCTAssertEqual(odict.compactMap { $0.0.stringValue }, ["b", "a"], ctx)
        XCTAssertEqual(odict.compactMap { $0.1.intValue }, [1, 2], ctx)
        XCTAssertEqual(v["shared1"]?.arrayValue?.compactMap(\.intValue), [1, 2], ctx)
        XCTAssertEqual(v["shared2"]?.arrayValue?.compactMap(\.intValue), [1, 2], ctx)
        let obj = try XCTUnwrap(v["obj"]?.objectValue, ctx)
        XCTAssertEqual(obj.module, "__main__", ctx)
        XCTAssertEqual(obj.name, "Thing", ctx)
        XCTAssertEqual(obj["a"]?.intValue, 1, ctx)
        XCTAssertEqual(obj["b"]?.stringValue, "two", ctx)
        XCTAssertEqual(v["long_list"]?.arrayValue?.compactMap(\.intValue), Array(0..<1500), ctx)
    }

    func testTruthiness() {
        XCTAssertFalse(PickleValue.none.isTruthy)
        XCTAssertFalse(PickleValue.int(0).isTruthy)
        XCTAssertTrue(PickleValue.int(2).isTruthy)
        XCTAssertFalse(PickleValue.dict([]).isTruthy)
        XCTAssertFalse(PickleValue.string("").isTruthy)
        XCTAssertTrue(PickleValue.object(PickleObject(module: "m", name: "n")).isTruthy)
    }

    func testMalformedStreamsThrowInsteadOfCrashing() {
        let cases: [([UInt8], String)] = [
            ([], "no STOP"),
            ([0x80, 0x02, 0x4A, 0x01], "truncated"),                 // BININT missing bytes
            ([0x80, 0x02, 0x52, 0x2E], "stack underflow"),           // REDUCE on empty stack
            ([0x80, 0x02, 0x68, 0x05, 0x2E], "memo index 5"),       // BINGET undefined
            ([0x80, 0x02, 0xFF, 0x2E], "unknown opcode 0xFF"),
            ([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E], "truncated"), // huge BINUNICODE length
            ([0x80, 0x02, 0x4E, 0x65, 0x2E], "MARK"),               // APPENDS without MARK
            ([0x80, 0x02, 0x28, 0x4E, 0x30, 0x30, 0x2E], "underflow"), // POP across MARK
            ([0x80, 0x02, 0x4E, 0x4E, 0x73, 0x2E], "underflow"),    // SETITEM needs 3 values
            ([0x80, 0x02, 0x4B, 0x01, 0x4E, 0x73, 0x2E], "underflow"),
            ([0x80, 0x02, 0x4E, 0x4E, 0x51, 0x2E], "persistent"),   // BINPERSID without loader
        ]
        for (bytes, fragment) in cases {
            assertCheckpointError(try Pickle.decode(Data(bytes), name: "bad.pkl"), file: "bad.pkl", contains: [fragment])
        }
    }

    func testTruncatedPicklesNeverCrash() throws {
        let data = try Data(contentsOf: FormatFixtures.url("values-p2.pkl"))
        for cut in stride(from: 0, to: data.count - 1, by: 7) {
            XCTAssertThrowsError(try Pickle.decode(data.prefix(cut), name: "cut.pkl"))
        }
    }

    func testRecursiveStructuresBecomeMarkers() throws {
        // l = []; l.append(l)  (protocol 2): ] q\x00 h\x00 a .
        let bytes: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E]
        let value = try Pickle.decode(Data(bytes))
        XCTAssertEqual(value.arrayValue?.first?.objectValue?.name, "<recursive reference>")
    }
}
