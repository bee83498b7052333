import Foundation
import XCTest
@testable import YOLOFormats

final class HalfConversionTests: XCTestCase {
    func testHalfRoundTripIsExactForAllBitPatterns() {
        for bits in 0...UInt16.max {
            let f = HalfConversion.float(fromHalfBits: bits)
            if f.isNaN { XCTAssertTrue(HalfConversion.float(fromHalfBits: HalfConversion.halfBits(from: f)).isNaN); continue }
            XCTAssertEqual(HalfConversion.halfBits(from: f), bits, "bits \(bits)")
        }
    }

    func testHalfKnownValues() {
        XCTAssertEqual(HalfConversion.float(fromHalfBits: 0x3C00), 1)
        XCTAssertEqual(HalfConversion.float(fromHalfBits: 0xC000), -2)
        XCTAssertEqual(HalfConversion.float(fromHalfBits: 0x7BFF), 65504)
        XCTAssertEqual(HalfConversion.float(fromHalfBits: 0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(HalfConversion.float(fromHalfBits: 0x7C00), .infinity)
        XCTAssertEqual(HalfConversion.halfBits(from: 65520), 0x7C00) // rounds to inf
        XCTAssertEqual(HalfConversion.halfBits(from: 1 + 1.0 / 2048), 0x3C00) // tie to even
        XCTAssertEqual(HalfConversion.halfBits(from: 1e-9), 0)
    }

    func testBFloat16() {
        XCTAssertEqual(HalfConversion.float(fromBFloat16Bits: 0x3F80), 1)
        XCTAssertEqual(HalfConversion.bfloat16Bits(from: 3.140625), 0x4049)
        XCTAssertTrue(HalfConversion.float(fromBFloat16Bits: HalfConversion.bfloat16Bits(from: .nan)).isNaN)
    }
}
