import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

final class ImageIOTests: XCTestCase {
    let ref = ImageReference.shared

    func testFNVMatchesPythonDefinition() {
        XCTAssertEqual(fnv1a64([]), "cbf29ce484222325")
        XCTAssertEqual(fnv1a64(Array("a".utf8)), "af63dc4c8601ec8c")
    }

    func testCoco8DecodeMatchesOpenCV() throws {
        XCTAssertEqual(ref.coco8.count, 8)
        for entry in ref.coco8 {
            let image = try ImageIO.read(cocoURL(entry.file))
            XCTAssertEqual(image.shape, entry.shape, entry.file)
            XCTAssertEqual(image.order, .bgr)
            XCTAssertEqual(fnv1a64(image.pixels), entry.fnv1a64, entry.file)
        }
    }

    func testRGBOrderIsSwappedBGR() throws {
        let url = cocoURL(ref.coco8[4].file)
        let bgr = try ImageIO.read(url)
        let rgb = try ImageIO.read(url, order: .rgb)
        XCTAssertEqual(rgb.order, .rgb)
        XCTAssertEqual(rgb.pixels, bgr.converted(to: .rgb).pixels)
        XCTAssertEqual(rgb.converted(to: .bgr).pixels, bgr.pixels)
    }

    func testSyntheticImagesMatchOpenCV() throws {
        var checked = 0
        for entry in ref.synthetic where entry.decodes && entry.file != "truncated.jpg" {
            let url = Fixtures.url("images/\(entry.file)")
            do {
                let image = try ImageIO.read(url)
                XCTAssertEqual(image.shape, entry.shape, entry.file)
                XCTAssertEqual(fnv1a64(image.pixels), entry.fnv1a64, "\(entry.file) (\(entry.note))")
                // RGB order decodes to the same pixels, swapped.
                let rgb = try ImageIO.read(url, order: .rgb)
                XCTAssertEqual(fnv1a64(rgb.converted(to: .bgr).pixels), entry.fnv1a64, "\(entry.file) as RGB")
                checked += 1
            } catch {
                XCTFail("\(entry.file): \(error)")
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 20)
    }

    func testEXIFOrientationParsed() throws {
        for o in 1...8 {
            let data = try Data(contentsOf: Fixtures.url("images/exif-orient\(o).jpg"))
            let parsed = data.withUnsafeBytes { EXIF.orientation(jpeg: $0.bindMemory(to: UInt8.self)) }
            XCTAssertEqual(parsed, o)
        }
        let plain = try Data(contentsOf: cocoURL(ref.coco8[0].file))
        XCTAssertEqual(plain.withUnsafeBytes { EXIF.orientation(jpeg: $0.bindMemory(to: UInt8.self)) }, 1)
    }

    func testCorruptFilesThrowErrorNamingTheFile() {
        for file in ["truncated.jpg", "header-only.jpg", "not-an-image.jpg"] {
            let url = Fixtures.url("images/\(file)")
            XCTAssertThrowsError(try ImageIO.read(url), file) { error in
                guard let e = error as? ImageError else { return XCTFail("\(file): \(error) is not an ImageError") }
                let text = e.description
                XCTAssertTrue(text.contains(file), text)
                XCTAssertFalse(text.contains("\n"), text)
                XCTAssertTrue(text.contains("cannot decode image"), text)
            }
        }
        XCTAssertThrowsError(try ImageIO.read(URL(fileURLWithPath: "/nonexistent/missing.jpg"))) { error in
            XCTAssertTrue("\(error)".contains("missing.jpg"), "\(error)")
        }
    }

    func testGarbageMessages() {
        XCTAssertThrowsError(try ImageIO.decode(Data("hello world".utf8), name: "bad.jpg")) { error in
            XCTAssertEqual("\(error)", "bad.jpg: cannot decode image (unknown format: starts with 0x68 0x65 0x6C 0x6C)")
        }
        XCTAssertThrowsError(try ImageIO.decode(Data(), name: "empty.png")) { error in
            XCTAssertEqual("\(error)", "empty.png: cannot decode image (empty file)")
        }
        // A PNG signature followed by junk; and a truncated PNG.
        var junk = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        junk.append(Data(repeating: 0x41, count: 40))
        XCTAssertThrowsError(try ImageIO.decode(junk, name: "junk.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("junk.png: cannot decode image ("), "\(error)")
        }
        let png = try! Data(contentsOf: Fixtures.url("images/rgba.png"))
        XCTAssertThrowsError(try ImageIO.decode(png.prefix(png.count / 2), name: "cut.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cut.png: cannot decode image ("), "\(error)")
        }
        let bmp = try! Data(contentsOf: Fixtures.url("images/bgr24.bmp"))
        XCTAssertThrowsError(try ImageIO.decode(bmp.prefix(bmp.count / 2), name: "cut.bmp")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cut.bmp: cannot decode image ("), "\(error)")
        }
    }

    func testJPEGRoundTripPSNR() throws {
        let image = try ImageIO.read(cocoURL(ref.coco8[4].file))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolodata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.jpg")
        try ImageIO.writeJPEG(image, to: url)
        let back = try ImageIO.read(url)
        XCTAssertEqual(back.shape, image.shape)
        var se = 0.0
        for (a, b) in zip(image.pixels, back.pixels) { let d = Double(a) - Double(b); se += d * d }
        let psnr = 10 * log10(255 * 255 / (se / Double(image.pixels.count)))
        XCTAssertGreaterThan(psnr, 35, "PSNR \(psnr)")
        // Only the final file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.jpg"])
        // RGB images are written with the right colours too.
        try ImageIO.writeJPEG(image.converted(to: .rgb), to: url, quality: 90)
        let back2 = try ImageIO.read(url)
        var se2 = 0.0
        for (a, b) in zip(image.pixels, back2.pixels) { let d = Double(a) - Double(b); se2 += d * d }
        XCTAssertGreaterThan(10 * log10(255 * 255 / (se2 / Double(image.pixels.count))), 33)
    }

    func testPNGRoundTripExact() throws {
        let image = try ImageIO.read(cocoURL(ref.coco8[1].file))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yolodata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.png")
        try ImageIO.writePNG(image, to: url)
        XCTAssertEqual(try ImageIO.read(url).pixels, image.pixels)
        try ImageIO.writePNG(image.converted(to: .rgb), to: url)
        XCTAssertEqual(try ImageIO.read(url).pixels, image.pixels)
        XCTAssertEqual(try ImageIO.read(url, order: .rgb).pixels, image.converted(to: .rgb).pixels)
    }

    func testWriteToMissingDirectoryThrows() {
        let image = Image(width: 4, height: 3, repeating: 9)
        let url = URL(fileURLWithPath: "/nonexistent-dir/x.png")
        XCTAssertThrowsError(try ImageIO.writePNG(image, to: url)) { error in
            XCTAssertTrue("\(error)".contains("x.png"), "\(error)")
        }
    }

    func testEXIFOrientationTransformsCompose() {
        // 3×2 image with distinct pixels; orientation 6 then 8 is the identity, 3 twice is the identity.
        let px: [UInt8] = (0..<18).map { UInt8($0) }
        let img = Image(width: 3, height: 2, pixels: px)
        let r6 = img.applyingEXIFOrientation(6)
        XCTAssertEqual([r6.width, r6.height], [2, 3])
        // Rotating clockwise: the output's top-left pixel is the source's bottom-left.
        XCTAssertEqual(Array(r6.pixels[0..<3]), Array(px[9..<12]))
        XCTAssertEqual(r6.applyingEXIFOrientation(8).pixels, px)
        XCTAssertEqual(img.applyingEXIFOrientation(3).applyingEXIFOrientation(3).pixels, px)
        XCTAssertEqual(img.applyingEXIFOrientation(5).applyingEXIFOrientation(5).pixels, px)
        XCTAssertEqual(img.applyingEXIFOrientation(7).applyingEXIFOrientation(7).pixels, px)
    }
}
