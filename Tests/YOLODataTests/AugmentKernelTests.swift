import CKernels
import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

/// The pixel kernels against cv2 5.0 (Tests/Fixtures/augment/kernels.json): warps into widths that are not multiples
/// of 16 (OpenCV's scalar tail) and HSV round trips on widths that are not multiples of 32, exact to the byte; plus
/// exhaustive checks of the colour conversions' own invariants.
final class AugmentKernelTests: XCTestCase {
    static let reference: KernelReference = try! JSONDecoder().decode(
        KernelReference.self, from: Data(contentsOf: Fixtures.url("augment/kernels.json")))

    private func loaded(_ file: String, imgsz: Int) throws -> Image {
        let raw = try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent(file), order: .bgr)
        let sh = loadedImageShape(h0: raw.height, w0: raw.width, imgsz: imgsz)
        return raw.resized(width: sh.w, height: sh.h)
    }

    func testWarpsMatchOpenCV() throws {
        XCTAssertEqual(Self.reference.warps.count, 8)
        for w in Self.reference.warps {
            let img = try loaded(w.file, imgsz: w.imgsz)
            XCTAssertEqual([img.height, img.width], w.src_shape)
            let M = Matrix3(decodeF32(w.matrix))
            let out = RandomPerspective.warp(img, matrix: M, width: w.size[0], height: w.size[1], perspective: w.perspective)
            XCTAssertEqual(crc32Hex(out.pixels), w.crc, "\(w.file) → \(w.size) perspective \(w.perspective)")
        }
    }

    func testHSVMatchesOpenCV() throws {
        XCTAssertEqual(Self.reference.hsv.count, 6)
        for h in Self.reference.hsv {
            var img = try loaded(h.file, imgsz: h.imgsz)
            XCTAssertEqual([img.height, img.width, 3], h.shape)
            RandomHSV.apply(lut: RandomHSV.lut(gains: SIMD3(h.gains[0], h.gains[1], h.gains[2])), to: &img)
            XCTAssertEqual(crc32Hex(img.pixels), h.crc, "\(h.file) gains \(h.gains) width \(img.width)")
        }
    }

    /// Identity tables: BGR → HSV → BGR of every grey level returns it unchanged, and hue tables wrap into 0..<180.
    func testHSVTables() {
        let lut = RandomHSV.lut(gains: SIMD3(0, 0, 0))
        XCTAssertEqual(Array(lut[0..<180]), (0..<180).map { UInt8($0) })
        XCTAssertEqual(Array(lut[256..<512]), (0..<256).map { UInt8($0) })
        let shifted = RandomHSV.lut(gains: SIMD3(-0.5, 1, -1))
        XCTAssertTrue(shifted[0..<256].allSatisfy { $0 < 180 })
        XCTAssertEqual(shifted[256], 0, "saturation 0 stays 0")
        XCTAssertEqual(shifted[257], 2)
        XCTAssertTrue(shifted[512..<768].allSatisfy { $0 == 0 })
        var grey = Image(width: 256, height: 1, pixels: (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        let before = grey.pixels
        RandomHSV.apply(lut: lut, to: &grey)
        XCTAssertEqual(grey.pixels, before)
    }

    /// The blend truncates like NumPy's astype(uint8) of a float64 blend.
    func testMixUpBlend() {
        let a = Image(width: 2, height: 1, pixels: [255, 0, 10, 200, 3, 1])
        let b = Image(width: 2, height: 1, pixels: [0, 255, 11, 100, 4, 0])
        let out = MixUp.blend(a, b, ratio: 0.3)
        let expect = zip(a.pixels, b.pixels).map { UInt8(Double($0) * 0.3 + Double($1) * (1 - 0.3)) }
        XCTAssertEqual(out.pixels, expect)
    }
}
