import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

/// Behaviour of single transforms on hand-made samples: flips and flip_idx, mosaic bookkeeping of keypoints, the
/// buffer rule, clipping and visibility rules, the box-candidate filter.
final class AugmentTransformTests: XCTestCase {
    private func sample(_ labels: [PoseLabel], w: Int, h: Int) -> SampleGeometry {
        SampleGeometry(labels: labels, keypointCount: labels.first?.keypoints.count ?? 5, file: URL(fileURLWithPath: "/x.jpg"),
                       origShape: (h, w), loadedShape: (h, w))
    }

    /// Five keypoints at distinct spots with distinct visibilities (nose, left eye, right eye, left ear, right ear).
    private let face = PoseLabel(cls: 0, box: SIMD4(0.5, 0.4, 0.4, 0.3),
                                 keypoints: [SIMD3(0.5, 0.4, 2), SIMD3(0.4, 0.35, 2), SIMD3(0.6, 0.35, 1),
                                             SIMD3(0.35, 0.4, 0), SIMD3(0.65, 0.42, 2)])

    func testHorizontalFlipMirrorsAndSwapsByFlipIdx() throws {
        let flip = try RandomFlip(probability: 1, horizontal: true, flipIdx: [0, 2, 1, 4, 3], keypointCount: 5)
        let g = sample([face], w: 100, h: 50)
        let out = flip.apply(g, flip: true).instances
        XCTAssertEqual(out.format, .xywh)
        let src = g.instances.keypoints
        for (k, from) in [0, 2, 1, 4, 3].enumerated() {
            XCTAssertEqual(out.keypoints[k].x, 100 - src[from].x)
            XCTAssertEqual(out.keypoints[k].y, src[from].y)
            XCTAssertEqual(out.keypoints[k].z, src[from].z, "visibility travels with its point")
        }
        XCTAssertEqual(out.boxes[0].x, 100 - 50, accuracy: 1e-4)
        // Flipping twice restores everything.
        var twice = flip.apply(flip.apply(g, flip: true), flip: true)
        twice.instances = twice.instances.converted(to: .xyxy)
        XCTAssertEqual(twice.instances.keypoints, src)
        // No flip: only the box format changes.
        XCTAssertEqual(flip.apply(g, flip: false).instances.keypoints, src)
    }

    func testVerticalFlip() throws {
        let flip = try RandomFlip(probability: 1, horizontal: false, flipIdx: [0, 2, 1, 4, 3], keypointCount: 5)
        let g = sample([face], w: 100, h: 50)
        let out = flip.apply(g, flip: true).instances
        XCTAssertEqual(out.keypoints[1].y, 50 - g.instances.keypoints[2].y)
        XCTAssertEqual(out.keypoints[1].x, g.instances.keypoints[2].x)
        var img = Image(width: 2, height: 3, pixels: Array(0..<18).map(UInt8.init))
        RandomFlip.flip(&img, horizontal: false)
        XCTAssertEqual(img.pixels, [12, 13, 14, 15, 16, 17, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5])
        RandomFlip.flip(&img, horizontal: true)
        XCTAssertEqual(img.pixels, [15, 16, 17, 12, 13, 14, 9, 10, 11, 6, 7, 8, 3, 4, 5, 0, 1, 2])
    }

    func testFlipIdxErrors() {
        XCTAssertThrowsError(try RandomFlip(probability: 0.5, horizontal: true, flipIdx: nil, keypointCount: 5)) {
            XCTAssertTrue("\($0)".contains("flip_idx"), "\($0)")
        }
        XCTAssertThrowsError(try RandomFlip(probability: 0.5, horizontal: true, flipIdx: [0, 2, 1], keypointCount: 5)) {
            XCTAssertTrue("\($0)".contains("kpt_shape[0] = 5"), "\($0)")
        }
        XCTAssertNoThrow(try RandomFlip(probability: 0, horizontal: true, flipIdx: nil, keypointCount: 5))
        // The pipeline follows the reference: no flip_idx disables both flips instead of failing.
        var c = AugmentConfig()
        c.flipud = 0.5
        let a = try? TrainAugmenter(imgsz: 64, config: c, keypointCount: 5, flipIdx: nil)
        XCTAssertEqual(a?.config.fliplr, 0)
        XCTAssertEqual(a?.config.flipud, 0)
        XCTAssertThrowsError(try TrainAugmenter(imgsz: 64, config: c, keypointCount: 5, flipIdx: [0, 1]))
    }

    /// Every keypoint of every object of the four tiles comes out shifted by its tile's offset (or with visibility 0
    /// when it left the canvas), attached to the same object, with the object's class.
    func testMosaicKeepsFiveKeypointsTogether() {
        let m = Mosaic(imgsz: 64)
        var tiles: [SampleGeometry] = []
        for t in 0..<4 {
            let l = PoseLabel(cls: t, box: face.box, keypoints: face.keypoints.map { SIMD3($0.x, $0.y, Float(t % 2 + 1)) })
            tiles.append(sample([l, face], w: 64 - 8 * t, h: 48 + 4 * t))
        }
        let layout = m.layout(center: (70, 50), tileSizes: tiles.map { ($0.height, $0.width) })
        let out = m.combine(tiles, layout: layout).instances
        XCTAssertEqual(out.keypointCount, 5)
        XCTAssertEqual(out.keypoints.count, out.count * 5)
        var o = 0
        for (t, tile) in tiles.enumerated() {
            let pad = layout.tiles[t].pad
            for i in 0..<tile.instances.count {
                // Boxes are clipped to the canvas, so identify objects by class order.
                XCTAssertEqual(out.cls[o], tile.instances.cls[i])
                for k in 0..<5 {
                    let p = tile.instances.keypoints[i * 5 + k], q = out.keypoints[o * 5 + k]
                    let x = p.x + Float(pad.x), y = p.y + Float(pad.y)
                    if x < 0 || y < 0 || x > 128 || y > 128 {
                        XCTAssertEqual(q.z, 0)
                    } else {
                        XCTAssertEqual(q, SIMD3(x, y, p.z), "tile \(t) object \(i) keypoint \(k)")
                    }
                }
                o += 1
            }
        }
        XCTAssertEqual(o, out.count)
        // The canvas: 114 outside the tiles, tile pixels inside.
        let imgs = tiles.map { Image(width: $0.width, height: $0.height, repeating: UInt8(10 + $0.width)) }
        let canvas = Mosaic.render(imgs, layout: layout)
        XCTAssertEqual(canvas.width, 128)
        XCTAssertEqual(canvas.pixels[((127 * 128) + 127) * 3], 114)
        XCTAssertEqual(canvas.pixels[((49 * 128) + 69) * 3], UInt8(10 + 64), "tile 0 ends at the centre")
        XCTAssertEqual(canvas.pixels[((50 * 128) + 70) * 3], UInt8(10 + 40), "tile 3 starts at the centre")
    }

    func testMosaicBufferRule() {
        var b = MosaicBuffer(datasetCount: 100, batchSize: 1, enabled: true)
        XCTAssertEqual(b.capacity, 8)
        for i in [5, 6, 5, 7, 8, 9, 10, 11, 12, 13, 14] { b.load(i) }
        XCTAssertEqual(b.indices, [8, 9, 10, 11, 12, 13, 14], "holds capacity − 1 after the pop, repeats ignored")
        var one = MosaicBuffer(datasetCount: 1, batchSize: 16, enabled: true)
        one.load(0); one.load(0)
        XCTAssertEqual(one.indices, [0])
        var off = MosaicBuffer(datasetCount: 10, batchSize: 2, enabled: false)
        off.load(3)
        XCTAssertEqual(off.indices, [])
    }

    func testClipAndVisibility() {
        var inst = Instances(format: .xyxy, cls: [0], boxes: [SIMD4(-5, 2, 30, 70)],
                             keypoints: [SIMD3(-1, 5, 2), SIMD3(10, 61, 1), SIMD3(60, 60, 2)], keypointCount: 3)
        inst.clip(width: 60, height: 60)
        XCTAssertEqual(inst.boxes[0], SIMD4(0, 2, 30, 60))
        XCTAssertEqual(inst.keypoints, [SIMD3(0, 5, 0), SIMD3(10, 60, 0), SIMD3(60, 60, 2)],
                       "outside → v 0 then clamped; exactly on the border stays visible")
        var zero = Instances(format: .xyxy, cls: [0, 1], boxes: [SIMD4(0, 0, 0, 10), SIMD4(0, 0, 1, 1)],
                             keypoints: [], keypointCount: 0)
        zero.removeZeroAreaBoxes()
        XCTAssertEqual(zero.cls, [1])
    }

    func testBoxCandidates() {
        let b = SIMD4<Float>(0, 0, 100, 100)
        XCTAssertTrue(RandomPerspective.isCandidate(before: b, after: SIMD4(0, 0, 50, 50)))
        XCTAssertFalse(RandomPerspective.isCandidate(before: b, after: SIMD4(0, 0, 30, 30)), "area ratio 0.09")
        XCTAssertFalse(RandomPerspective.isCandidate(before: b, after: SIMD4(0, 0, 2, 50)), "2 px wide")
        XCTAssertFalse(RandomPerspective.isCandidate(before: SIMD4(0, 0, 3, 300), after: SIMD4(0, 0, 3, 301)), "aspect ≥ 100")
    }

    /// Identity draws: no rotation, scale 1, centred translation — the loaded image placed in the middle of S × S.
    func testPerspectiveIdentityCentresTheImage() {
        let rp = RandomPerspective(translate: 0, scale: 0)
        let d = RandomPerspective.Draw(perspective: .zero, angle: 0, scale: 1, shear: .zero, translate: SIMD2(0.5, 0.5))
        let M = RandomPerspective.matrix(d, input: (40, 20), output: (64, 64))
        XCTAssertEqual(M.m, [1, 0, 12, 0, 1, 22, 0, 0, 1])
        let g = sample([face], w: 40, h: 20)
        let out = rp.transform(g, matrix: M, scale: 1, output: (64, 64))
        XCTAssertEqual(out.instances.keypoints[0], SIMD3(g.instances.keypoints[0].x + 12, g.instances.keypoints[0].y + 22, 2))
        let img = Image(width: 40, height: 20, repeating: 7)
        let warped = RandomPerspective.warp(img, matrix: M, width: 64, height: 64, perspective: false)
        XCTAssertEqual(warped.pixels[((22 * 64) + 12) * 3], 7)
        XCTAssertEqual(warped.pixels[((21 * 64) + 12) * 3], 114)
        XCTAssertEqual(warped.pixels[((41 * 64) + 51) * 3], 7)
        XCTAssertEqual(warped.pixels[((42 * 64) + 51) * 3], 114)
    }

    func testNpyRoundTrip() throws {
        let img = Image(width: 3, height: 2, pixels: Array(0..<18).map(UInt8.init))
        let data = NpyImage.encode(img)
        XCTAssertEqual((10 + Int(data[8])) % 64, 0, "header padded to 64 bytes")
        let back = try XCTUnwrap(NpyImage.decode(data))
        XCTAssertEqual(back.pixels, img.pixels)
        XCTAssertEqual([back.width, back.height], [3, 2])
        XCTAssertNil(NpyImage.decode(data.prefix(data.count - 1)))
    }
}
