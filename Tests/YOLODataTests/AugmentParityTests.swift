import Foundation
import XCTest
@testable import YOLOData
import YOLOTestSupport

/// The training pipeline against the reference, draw for draw: each recorded sample of
/// Tests/Fixtures/augment/pipelines.json is planned with the reference's own random draws replayed, and after every
/// step (mosaic, perspective, mixup, cutmix, HSV, flips) and at the end (Format) the image and the objects must agree:
/// pixels exactly (CRC-32), boxes and keypoints within 1e-3 px, visibility and classes exactly, and the mosaic
/// buffer, the draw sequence and the metadata exactly.
final class AugmentParityTests: XCTestCase {
    /// Worst agreement per step kind over all configurations (printed for the record).
    struct Agreement {
        var boxError: Float = 0, keypointError: Float = 0
        var images = 0, imageMismatches = 0, objects = 0
    }

    func testPipelinesMatchReference() throws {
        var agreement: [String: Agreement] = [:]
        for config in AugmentReference.shared.configs {
            try check(config, agreement: &agreement)
        }
        for (k, a) in agreement.sorted(by: { $0.key < $1.key }) {
            print("augment parity \(k): \(a.images) images, \(a.imageMismatches) differ; \(a.objects) objects, max box error \(a.boxError) px, max keypoint error \(a.keypointError) px")
            XCTAssertEqual(a.imageMismatches, 0, "\(k): pixels differ")
            XCTAssertLessThan(a.boxError, 1e-3, "\(k): boxes")
            XCTAssertLessThan(a.keypointError, 1e-3, "\(k): keypoints")
        }
        XCTAssertEqual(Set(agreement.keys), ["mosaic", "perspective", "mixup", "cutmix", "hsv", "flipud", "fliplr", "format"])
    }

    private func check(_ c: AugmentReference.Config, agreement: inout [String: Agreement]) throws {
        let K = c.kpt_shape[0]
        let scan = try augmentScan(self, keypoints: K)
        var order = Array(scan.images.indices)
        var shapes: [(h: Int, w: Int)]?
        if c.rect {
            let r = TrainLoader.rectangles(scan, imgsz: c.imgsz, batch: c.batch, stride: 32)
            order = r.order
            shapes = r.shapes
            XCTAssertEqual(r.shapes.map { [$0.h, $0.w] }, c.rect_shapes, "\(c.name): rect shapes")
        }
        XCTAssertEqual(order.map { scan.images[$0].url.lastPathComponent }, c.files, "\(c.name): dataset order")
        let augmenter = try TrainAugmenter(imgsz: c.imgsz, config: AugmentConfig { c.hyp[$0] }, keypointCount: K,
                                           flipIdx: c.flip_idx, rect: c.rect)
        var buffer = MosaicBuffer(datasetCount: order.count, batchSize: c.batch, enabled: c.cache != "ram")
        XCTAssertEqual(buffer.capacity, c.buffer_capacity, c.name)
        let images = ReferenceImageLoader(scan: scan, imgsz: c.imgsz)
        let geometry = { (i: Int) -> SampleGeometry in
            let item = scan.images[order[i]]
            return SampleGeometry(labels: item.labels, keypointCount: K, file: item.url, origShape: (item.shape.h, item.shape.w),
                                  loadedShape: loadedImageShape(h0: item.shape.h, w0: item.shape.w, imgsz: c.imgsz),
                                  rectShape: shapes?[i])
        }
        let load = { (i: Int) throws -> Image in try images.load(order[i]) }

        for (si, s) in c.samples.enumerated() {
            let what = "\(c.name) sample \(si) (index \(s.index))"
            XCTAssertEqual(buffer.indices, s.buffer, "\(what): mosaic buffer")
            var random = RecordedAugmentRandom(py: s.py, np: s.np)
            var seen: [(TrainAugmenter.Stage, SampleGeometry, ImageRecipe)] = []
            let planned = augmenter.plan(index: s.index, count: order.count, geometry: geometry, buffer: &buffer,
                                         random: &random) { seen.append(($0, $1, $2)) }
            XCTAssertEqual(random.problems, [], "\(what): draw sequence")
            XCTAssertTrue(random.exhausted, "\(what): \(random.py.count) + \(random.np.count) recorded draws not used")
            XCTAssertEqual(seen.map(\.0.rawValue), s.stages.map(\.stage), "\(what): steps")

            var lastLabels: AugmentReference.Stage?
            for (stage, ref) in zip(seen, s.stages) {
                let tag = "\(what) \(ref.stage)"
                var a = agreement[ref.stage] ?? Agreement()
                let img = try stage.2.render(load)
                a.images += 1
                XCTAssertEqual([img.height, img.width, 3], ref.shape, "\(tag): image shape")
                if crc32Hex(img.pixels) != ref.crc { a.imageMismatches += 1; XCTFail("\(tag): pixels differ") }
                if ref.same_labels != true { lastLabels = ref }
                if let lab = lastLabels {
                    compare(stage.1, lab, what: tag, agreement: &a)
                }
                agreement[ref.stage] = a
            }

            // Format: the collated fields.
            var a = agreement["format"] ?? Agreement()
            let g = planned.geometry
            let sample = TrainSample(image: try planned.recipe.render(load), reverseChannels: planned.reverseChannels,
                                     labels: planned.labels, file: g.file, origShape: g.origShape,
                                     resizedShape: g.resizedShape, ratioPad: g.ratioPad)
            let net = sample.networkImage
            a.images += 1
            XCTAssertEqual([net.height, net.width, 3], s.img_shape, "\(what): final shape")
            if crc32Hex(net.pixels) != s.img_crc {
                a.imageMismatches += 1
                let row = net.width * 3
                let rows = (0..<net.height).filter { crc32Hex(Array(net.pixels[($0 * row)..<(($0 + 1) * row)])) != s.row_crc[$0] }
                XCTFail("\(what): final pixels differ in \(rows.count) of \(net.height) rows (first \(rows.prefix(5)))")
            }
            XCTAssertEqual(sample.labels.map(\.cls), s.cls, "\(what): cls")
            XCTAssertEqual(sample.labels.count, s.n, "\(what): objects")
            let rb = decodeF32(s.bboxes), rk = decodeF32(s.keypoints)
            let W = Float(net.width), H = Float(net.height)
            if sample.labels.count == s.n {
                a.objects += s.n
                for (i, l) in sample.labels.enumerated() {
                    let d = [abs(l.box.x - rb[4 * i]) * W, abs(l.box.y - rb[4 * i + 1]) * H,
                             abs(l.box.z - rb[4 * i + 2]) * W, abs(l.box.w - rb[4 * i + 3]) * H]
                    a.boxError = max(a.boxError, d.max()!)
                    for (j, p) in l.keypoints.enumerated() {
                        let o = (i * K + j) * 3
                        a.keypointError = max(a.keypointError, abs(p.x - rk[o]) * W, abs(p.y - rk[o + 1]) * H)
                        XCTAssertEqual(p.z, rk[o + 2], "\(what): visibility of object \(i) keypoint \(j)")
                    }
                }
            }
            XCTAssertEqual(g.file.lastPathComponent, s.im_file, "\(what): im_file")
            XCTAssertEqual([g.origShape.h, g.origShape.w], s.ori_shape, "\(what): ori_shape")
            XCTAssertEqual([g.resizedShape.h, g.resizedShape.w], s.resized_shape, "\(what): resized_shape")
            XCTAssertEqual([g.ratioPad.h, g.ratioPad.w], s.ratio_pad, "\(what): ratio_pad")
            agreement["format"] = a
        }
    }

    /// The sample's objects against a recorded step: classes and visibility exactly, coordinates in pixels.
    private func compare(_ g: SampleGeometry, _ ref: AugmentReference.Stage, what: String, agreement a: inout Agreement) {
        guard let n = ref.n, let fmt = ref.format, let rbS = ref.boxes, let rkS = ref.keypoints else { return }
        let inst = g.instances.converted(to: fmt == "xyxy" ? .xyxy : .xywh)
        XCTAssertEqual(inst.count, n, "\(what): objects")
        XCTAssertEqual(inst.cls, ref.cls, "\(what): cls")
        guard inst.count == n else { return }
        let rb = decodeF32(rbS), rk = decodeF32(rkS)
        let K = inst.keypointCount
        // Normalised reference values (before the first geometric step) scale by the current image size.
        let sx: Float = ref.normalized == true ? Float(g.width) : 1, sy: Float = ref.normalized == true ? Float(g.height) : 1
        a.objects += n
        for i in 0..<n {
            let b = inst.boxes[i]
            let d = [abs(b.x - rb[4 * i] * sx), abs(b.y - rb[4 * i + 1] * sy), abs(b.z - rb[4 * i + 2] * sx),
                     abs(b.w - rb[4 * i + 3] * sy)]
            a.boxError = max(a.boxError, d.max()!)
            for j in 0..<K {
                let p = inst.keypoints[i * K + j], o = (i * K + j) * 3
                a.keypointError = max(a.keypointError, abs(p.x - rk[o] * sx), abs(p.y - rk[o + 1] * sy))
                XCTAssertEqual(p.z, rk[o + 2], "\(what): visibility of object \(i) keypoint \(j)")
            }
        }
    }
}
