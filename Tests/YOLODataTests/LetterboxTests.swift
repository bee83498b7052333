import Foundation
import XCTest
import YOLOData
import YOLOTensor
import YOLOTestSupport

final class LetterboxTests: XCTestCase {
    let ref = ImageReference.shared

    func testCoco8LetterboxMatchesUltralytics() throws {
        let targets = Dictionary(uniqueKeysWithValues: ref.letterbox_targets.map { ($0.name, $0) })
        for entry in ref.coco8 {
            let image = try ImageIO.read(cocoURL(entry.file))
            for lb in entry.letterbox {
                let t = try XCTUnwrap(targets[lb.name])
                let out = letterbox(image, to: (t.target[0], t.target[1]), auto: t.auto, stride: t.stride)
                let what = "\(entry.file) @ \(lb.name)"
                XCTAssertEqual(out.image.shape, lb.shape, what)
                XCTAssertEqual(out.pad.top, lb.pad.top, what)
                XCTAssertEqual(out.pad.left, lb.pad.left, what)
                XCTAssertEqual(out.newSize.height, lb.new_size[0], what)
                XCTAssertEqual(out.newSize.width, lb.new_size[1], what)
                XCTAssertEqual(out.ratio, lb.ratio, accuracy: 1e-12, what)
                XCTAssertEqual(out.image.height - out.newSize.height - out.pad.top, lb.pad.bottom, what)
                XCTAssertEqual(out.image.width - out.newSize.width - out.pad.left, lb.pad.right, what)
                XCTAssertEqual(fnv1a64(out.image.pixels), lb.fnv1a64, what)
            }
        }
    }

    func testResizeMatchesOpenCVAtOddSizes() throws {
        XCTAssertFalse(ref.resize.isEmpty)
        for r in ref.resize {
            let src = try ImageIO.read(Fixtures.url("images/\(r.source)"))
            let out = src.resized(width: r.width, height: r.height)
            XCTAssertEqual(fnv1a64(out.pixels), r.fnv1a64, "\(r.source) → \(r.width)×\(r.height)")
        }
    }

    func testInputNpyFixturesReproduced() throws {
        let url = cocoURL("val/000000000110.jpg")
        let image = try ImageIO.read(url)
        let cases: [(String, (Int, Int), Bool)] = [
            ("input-640x640.npy", (640, 640), false),
            ("input-480x640.npy", (640, 640), true),
            ("input-320x320.npy", (320, 320), false),
        ]
        for (file, size, auto) in cases {
            let npy = try NpyArray(contentsOf: Fixtures.url(file))
            let out = letterbox(image, to: size, auto: auto).image.converted(to: .rgb)
            XCTAssertEqual([1] + out.shape, npy.shape, file)
            XCTAssertEqual(out.pixels.map { Float($0) }, npy.values, file)
            // And the network tensor is those bytes / 255.
            let tensor = letterbox(image, to: size, auto: auto).image.toTensorRGB01()
            XCTAssertEqual(tensor.shape, npy.shape)
            XCTAssertEqual(tensor.toArray(), npy.values.map { $0 / 255 }, file)
        }
        // Reading straight into RGB order gives the same letterbox.
        let rgb = try ImageIO.read(url, order: .rgb)
        let npy = try NpyArray(contentsOf: Fixtures.url("input-320x320.npy"))
        XCTAssertEqual(letterbox(rgb, to: (320, 320), auto: false).image.pixels.map { Float($0) }, npy.values)
    }

    func testPaddingRules() {
        let img = Image(width: 61, height: 100, repeating: 7)
        // center, scale up: r = min(128/100, 96/61) = 1.28 → 78×128, pads left 9, right 9.
        var r = letterbox(img, to: (128, 96), auto: false)
        XCTAssertEqual(r.newSize.height, 128); XCTAssertEqual(r.newSize.width, 78)
        XCTAssertEqual(r.pad.top, 0); XCTAssertEqual(r.pad.left, 9)
        // no scale-up: r = 1, odd pads put the extra pixel bottom/right.
        r = letterbox(img, to: (128, 96), auto: false, scaleUp: false)
        XCTAssertEqual(r.newSize.height, 100); XCTAssertEqual(r.newSize.width, 61)
        XCTAssertEqual(r.pad.top, 14); XCTAssertEqual(r.pad.left, 17)
        XCTAssertEqual(r.image.height, 128); XCTAssertEqual(r.image.width, 96)
        // not centred: everything at the bottom/right.
        r = letterbox(img, to: (128, 96), auto: false, scaleUp: false, center: false)
        XCTAssertEqual(r.pad.top, 0); XCTAssertEqual(r.pad.left, 0)
        XCTAssertEqual(r.image.pixels[0], 7)
        XCTAssertEqual(r.image.pixels.last, 114)
        // Spec examples: zidane 720×1280 → 360×640 with pads 12/12 and a 384×640 tensor (auto).
        let z = letterbox(Image(width: 1280, height: 720, repeating: 0), to: (640, 640), auto: true)
        XCTAssertEqual(z.image.height, 384); XCTAssertEqual(z.pad.top, 12)
        let thin = letterbox(Image(width: 97, height: 1001, repeating: 0), to: (640, 640), auto: true)
        XCTAssertEqual(thin.newSize.width, 62); XCTAssertEqual(thin.image.width, 64); XCTAssertEqual(thin.pad.left, 1)
        let odd = letterbox(Image(width: 517, height: 333, repeating: 0), to: (640, 640), auto: true)
        XCTAssertEqual(odd.newSize.height, 412); XCTAssertEqual(odd.image.height, 416); XCTAssertEqual(odd.pad.top, 2)
        XCTAssertEqual(odd.ratio, 640.0 / 517.0, accuracy: 1e-12)
    }

    func testTensorChannelOrder() {
        let img = Image(width: 2, height: 1, order: .bgr, pixels: [10, 20, 255, 0, 51, 102])
        let t = img.toTensorRGB01()
        XCTAssertEqual(t.shape, [1, 1, 2, 3])
        let expected: [Float] = [255, 20, 10, 102, 51, 0].map { Float($0) / 255 }
        XCTAssertEqual(t.toArray(), expected)
        XCTAssertEqual(img.converted(to: .rgb).toTensorRGB01().toArray(), t.toArray())
    }

    func testDecodeAndLetterboxSpeed() throws {
        let data = try Data(contentsOf: cocoURL("val/000000000110.jpg"))
        let clock = ContinuousClock()
        var best = Duration.seconds(100)
        for _ in 0..<5 {
            let t = clock.measure {
                let img = try! ImageIO.decode(data, name: "110.jpg")
                _ = letterbox(img, to: (320, 320), auto: false).image.toTensorRGB01()
            }
            best = min(best, t)
        }
        print("decode + letterbox 640×480 → 320 + tensor: \(best)")
    }
}
