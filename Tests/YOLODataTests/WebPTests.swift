import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

/// WebP decoding against `cv2.imread(path, IMREAD_COLOR)` hashes from make_image_fixtures.py.
final class WebPTests: XCTestCase {
    let ref = ImageReference.shared

    var webpEntries: [ImageReference.Synthetic] {
        ref.synthetic.filter { $0.file.hasSuffix(".webp") || $0.file == "webp-as.jpg" }
    }

    func testFixturesPresent() {
        let names = Set(webpEntries.map(\.file))
        for f in ["lossy-q80.webp", "lossless.webp", "lossless-alpha.webp", "lossy-alpha.webp", "lossy-pil.webp",
                  "animated.webp", "truncated.webp", "webp-as.jpg"] {
            XCTAssertTrue(names.contains(f), f)
        }
    }

    func testDecodeMatchesOpenCVBitExactly() throws {
        var checked = 0
        for entry in webpEntries where entry.decodes {
            let url = Fixtures.url("images/\(entry.file)")
            let image = try ImageIO.read(url)
            XCTAssertEqual(image.order, .bgr)
            XCTAssertEqual(image.shape, entry.shape, entry.file)
            XCTAssertEqual(fnv1a64(image.pixels), entry.fnv1a64, "\(entry.file) (\(entry.note))")
            let rgb = try ImageIO.read(url, order: .rgb)
            XCTAssertEqual(rgb.order, .rgb)
            XCTAssertEqual(rgb.converted(to: .bgr).pixels, image.pixels, "\(entry.file) as RGB")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 7)
    }

    func testMagicBytesDispatch() throws {
        let data = try Data(contentsOf: Fixtures.url("images/lossless.webp"))
        data.withUnsafeBytes { raw in
            XCTAssertEqual(ImageIO.Format.sniff(raw.bindMemory(to: UInt8.self)), .webp)
        }
        // RIFF container of another kind (WAVE) is not WebP.
        var wave = Data("RIFF".utf8) + Data([0x24, 0, 0, 0]) + Data("WAVEfmt ".utf8)
        wave.append(contentsOf: [UInt8](repeating: 0, count: 32))
        wave.withUnsafeBytes { raw in XCTAssertNil(ImageIO.Format.sniff(raw.bindMemory(to: UInt8.self))) }
        XCTAssertThrowsError(try ImageIO.decode(wave, name: "sound.webp")) { error in
            XCTAssertEqual("\(error)", "sound.webp: cannot decode image (unknown format: starts with 0x52 0x49 0x46 0x46)")
        }
    }

    func testCorruptWebPThrowsErrorNamingTheFile() throws {
        let url = Fixtures.url("images/truncated.webp")
        XCTAssertThrowsError(try ImageIO.read(url)) { error in
            guard let e = error as? ImageError else { return XCTFail("\(error) is not an ImageError") }
            XCTAssertTrue(e.description.contains("truncated.webp"), e.description)
            XCTAssertTrue(e.description.contains("cannot decode image"), e.description)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
        // A valid header followed by garbage, and a bare header.
        var data = try Data(contentsOf: Fixtures.url("images/lossy-q80.webp"))
        for i in 40..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 131) }
        XCTAssertThrowsError(try ImageIO.decode(data, name: "garbled.webp")) { error in
            XCTAssertTrue("\(error)".hasPrefix("garbled.webp: cannot decode image ("), "\(error)")
        }
        let header = Data("RIFF".utf8) + Data([4, 0, 0, 0]) + Data("WEBP".utf8)
        XCTAssertThrowsError(try ImageIO.decode(header, name: "header.webp")) { error in
            XCTAssertTrue("\(error)".hasPrefix("header.webp: cannot decode image ("), "\(error)")
        }
    }
}
