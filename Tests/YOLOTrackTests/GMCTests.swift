import Foundation
import XCTest
import YOLOData
import YOLOModel
import YOLOTestSupport
@testable import YOLOTrack

/// GMC against Ultralytics' tracker GMC. The fixture `Tests/Fixtures/track/gmc-warps.json` was made by
/// `Scripts/reference/gmc_warps.py` (reference OpenCV 5.0 from pip; we link Debian's OpenCV 4.6): windows at integer
/// offsets cut from coco8-pose JPEGs, rebuilt here from our decoder, which is bit-identical to cv2.imread.
final class GMCTests: XCTestCase {
    /// Largest allowed |ours − reference| of the translation (tx, ty) in full-resolution pixels, and of the linear
    /// part (a, b, c, d), per method. Measured: sparseOptFlow 2e-6 px and 1e-8 (corners, LK and RANSAC agree between
    /// OpenCV 4.6 and 5.0 up to float rounding); ecc 0.046 px and 2.3e-4 (5.0 reworked findTransformECC — it now
    /// runs findTransformECCWithMask — so its iterations stop at slightly different points; also at downscale 1,
    /// without blur or resize: 0.009 px).
    static let tolerances: [String: (translation: Double, linear: Double)] = [
        "sparseOptFlow": (1e-4, 1e-6),
        "ecc": (0.1, 5e-4),
    ]
    /// For the single-value checks below (either method).
    static let translationTolerance = 0.1

    override func setUp() {
        Log.enabled = false
    }

    override func tearDown() {
        Log.enabled = true
    }

    struct Sequence: Decodable {
        struct Frame: Decodable {
            var x: Int?
            var y: Int?
            var fill: UInt8?
            /// left, top, side, value
            var square: [Int]?
        }
        var name: String
        var image: String?
        var width: Int
        var height: Int
        var frames: [Frame]
        var method: String
        var downscale: Int
        var warps: [[Double]]
        var warnings: [[String]]
    }

    struct Document: Decodable {
        var made_by: String
        var opencv: String
        var sequences: [Sequence]
    }

    static func loadFixture() throws -> Document {
        let data = try Data(contentsOf: Fixtures.url("track/gmc-warps.json"))
        return try JSONDecoder().decode(Document.self, from: data)
    }

    /// A `width`×`height` window of `image` at (`x`, `y`).
    static func crop(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            let source = ((y + row) * image.width + x) * 3
            pixels.replaceSubrange(row * width * 3..<(row + 1) * width * 3,
                                   with: image.pixels[source..<source + width * 3])
        }
        return Image(width: width, height: height, order: image.order, pixels: pixels)
    }

    static func frames(of sequence: Sequence) throws -> [Image] {
        let image = try sequence.image.map { try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent($0)) }
        return sequence.frames.map { frame in
            if let fill = frame.fill {
                var out = Image(width: sequence.width, height: sequence.height, repeating: fill)
                if let square = frame.square {
                    for row in square[1]..<square[1] + square[2] {
                        let start = (row * out.width + square[0]) * 3
                        for i in start..<start + square[2] * 3 { out.pixels[i] = UInt8(square[3]) }
                    }
                }
                return out
            }
            return crop(image!, x: frame.x!, y: frame.y!, width: sequence.width, height: sequence.height)
        }
    }

    static let identity: [Double] = [1, 0, 0, 0, 1, 0]

    func testMatchesReferenceWarps() throws {
        let document = try Self.loadFixture()
        XCTAssertEqual(document.made_by, "Scripts/reference/gmc_warps.py")
        var worst: [String: (translation: Double, linear: Double)] = [:]
        for sequence in document.sequences {
            let gmc = try GMC(method: sequence.method, downscale: sequence.downscale)
            var sequenceTranslation = 0.0, sequenceLinear = 0.0
            for (index, frame) in try Self.frames(of: sequence).enumerated() {
                let warp = gmc.apply(frame)
                let expected = sequence.warps[index]
                let label = "\(sequence.name) \(sequence.method) frame \(index)"
                XCTAssertEqual(warp.count, 6, label)
                for k in 0..<6 {
                    let difference = abs(warp[k] - expected[k])
                    if k == 2 || k == 5 {
                        sequenceTranslation = max(sequenceTranslation, difference)
                    } else {
                        sequenceLinear = max(sequenceLinear, difference)
                    }
                }
                if index == 0 { XCTAssertEqual(warp, Self.identity, "\(label): first frame") }
                // Reference warnings carry the logger's "WARNING ⚠️ " prefix and their OpenCV version's file paths;
                // compare the reference's own wording up to the OpenCV text.
                let expectedWarning = sequence.warnings[index].first.map {
                    $0.replacingOccurrences(of: "WARNING ⚠️ ", with: "").components(separatedBy: " OpenCV(")[0]
                }
                let warning = gmc.lastWarning?.components(separatedBy: " OpenCV(")[0]
                XCTAssertEqual(warning, expectedWarning, label)
            }
            let tolerance = try XCTUnwrap(Self.tolerances[sequence.method], sequence.method)
            XCTAssertLessThanOrEqual(sequenceTranslation, tolerance.translation, "\(sequence.name) \(sequence.method)")
            XCTAssertLessThanOrEqual(sequenceLinear, tolerance.linear, "\(sequence.name) \(sequence.method)")
            print("GMC \(sequence.name) \(sequence.method): max |Δ| translation \(sequenceTranslation), linear \(sequenceLinear)")
            let previous = worst[sequence.method] ?? (0, 0)
            worst[sequence.method] = (max(previous.translation, sequenceTranslation), max(previous.linear, sequenceLinear))
        }
        for (method, value) in worst.sorted(by: { $0.key < $1.key }) {
            print("GMC \(method) vs reference (OpenCV \(document.opencv)): max |Δ| translation \(value.translation) px, "
                  + "linear \(value.linear)")
        }
    }

    /// RGB frames are converted with RGB weights, so the warps equal those of the BGR frames exactly.
    func testRGBFramesGiveTheSameWarps() throws {
        let sequence = try XCTUnwrap(Self.loadFixture().sequences.first { $0.name == "wander-110" })
        let frames = try Self.frames(of: sequence)
        for method in ["sparseOptFlow", "ecc"] {
            let bgr = try GMC(method: method), rgb = try GMC(method: method)
            for frame in frames.prefix(4) {
                XCTAssertEqual(bgr.apply(frame), rgb.apply(frame.converted(to: .rgb)), method)
            }
        }
    }

    func testFirstFrameIdentityAndReset() throws {
        let sequence = try XCTUnwrap(Self.loadFixture().sequences.first { $0.name == "wander-110" })
        let frames = try Self.frames(of: sequence)
        for method in ["sparseOptFlow", "ecc"] {
            let gmc = try GMC(method: method)
            XCTAssertEqual(gmc.method, method)
            XCTAssertEqual(gmc.apply(frames[0]), Self.identity, method)
            let moved = gmc.apply(frames[1])
            XCTAssertEqual(moved[2], sequence.warps[1][2], accuracy: Self.translationTolerance, method)
            gmc.reset()
            XCTAssertEqual(gmc.apply(frames[1]), Self.identity, "\(method): first frame after reset")
            // frames[1] → frames[0] is the opposite motion.
            XCTAssertEqual(gmc.apply(frames[0])[2], -sequence.warps[1][2], accuracy: 0.1, method)
        }
    }

    func testNoneIsAlwaysIdentity() throws {
        let frame = Image(width: 64, height: 48, repeating: 7)
        for name in ["none", "None", nil] as [String?] {
            let gmc = try GMC(method: name)
            XCTAssertNil(gmc.method)
            for _ in 0..<3 { XCTAssertEqual(gmc.apply(frame), Self.identity) }
            XCTAssertNil(gmc.lastWarning)
        }
    }

    func testFeatureMethodsAndUnknownNamesAreRefused() {
        for name in ["orb", "sift"] {
            XCTAssertThrowsError(try GMC(method: name)) { error in
                XCTAssertEqual(error as? GMCError, .needsFeatures2D(name))
                XCTAssertEqual(error.localizedDescription,
                               "GMC method '\(name)' needs OpenCV features2d, which is not in this build; "
                                   + "use sparseOptFlow, ecc or none")
            }
        }
        XCTAssertThrowsError(try GMC(method: "optflow")) { error in
            XCTAssertEqual(error.localizedDescription, "Unknown GMC method: optflow")
        }
    }

    /// Uniform frames: no corners (sparseOptFlow starts over), NaN inside ECC (the reference's warning); never a crash.
    func testBlankFramesGiveIdentity() throws {
        for method in ["sparseOptFlow", "ecc"] {
            let gmc = try GMC(method: method)
            for value in [0, 0, 128, 255] as [UInt8] {
                XCTAssertEqual(gmc.apply(Image(width: 320, height: 240, repeating: value)), Self.identity, method)
            }
            if method == "ecc" {
                XCTAssertTrue(gmc.lastWarning?.hasPrefix("findTransformECC failed; using identity warp.") ?? false,
                              gmc.lastWarning ?? "no warning")
            } else {
                XCTAssertNil(gmc.lastWarning)
            }
        }
    }

    /// Frames too small to downscale make OpenCV fail (the reference raises); we log it and return the identity.
    func testTinyFramesDoNotCrash() throws {
        for method in ["sparseOptFlow", "ecc"] {
            let gmc = try GMC(method: method)
            for size in [1, 0, 2, 3, 1] {
                XCTAssertEqual(gmc.apply(Image(width: size, height: size, repeating: 9)), Self.identity,
                               "\(method) \(size)×\(size)")
                if size < 2 { XCTAssertNotNil(gmc.lastWarning, "\(method) \(size)×\(size)") }
            }
            let ones = try GMC(method: method, downscale: 1)
            for _ in 0..<2 { XCTAssertEqual(ones.apply(Image(width: 1, height: 1, repeating: 9)).count, 6) }
        }
    }
}
