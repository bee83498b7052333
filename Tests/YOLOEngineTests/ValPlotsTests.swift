import Foundation
import Testing
@testable import YOLOData
@testable import YOLOEngine

@Suite struct ValPlotsTests {
    static func outDir(_ name: String) -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ValPlotsTests-\(name)")
        try? FileManager.default.removeItem(at: d)
        return d
    }

    /// Synthetic statistics: 2 classes, a mix of TPs and FPs at various confidences.
    static func stats() -> DetectionStats {
        var s = DetectionStats(pose: true)
        var seed: UInt64 = 12345
        func rnd() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<6 {
            var tp: [[Bool]] = [], tpp: [[Bool]] = [], conf: [Float] = [], cls: [Int] = []
            for _ in 0..<8 {
                let c = Float(rnd())
                conf.append(c)
                cls.append(rnd() < 0.6 ? 0 : 1)
                let hit = rnd() < Double(c)
                tp.append((0..<10).map { hit && $0 < 6 })
                tpp.append((0..<10).map { hit && $0 < 3 && rnd() < 0.7 })
            }
            s.append(tp: tp, tpPose: tpp, conf: conf, predCls: cls, targetCls: [0, 0, 0, 1, 1])
        }
        return s
    }

    static func distinctColors(_ img: Image) -> Int {
        var set = Set<UInt32>()
        for i in stride(from: 0, to: img.pixels.count, by: 3) {
            set.insert(UInt32(img.pixels[i]) << 16 | UInt32(img.pixels[i + 1]) << 8 | UInt32(img.pixels[i + 2]))
        }
        return set.count
    }

    static func det(_ b: SIMD4<Float>, _ conf: Float, _ cls: Int, kpts: [Float] = []) -> Detection {
        Detection(box: b, conf: conf, cls: cls, keypoints: kpts)
    }

    @Test func curvesMatchMetricsAndAreAdditive() {
        let s = Self.stats()
        let names = [0: "person", 1: "dog"]
        let m = APComputation.compute(tp: s.tp, conf: s.conf, predCls: s.predCls, targetCls: s.targetCls, names: names)
        let (m2, c) = APComputation.computeWithCurves(tp: s.tp, conf: s.conf, predCls: s.predCls,
                                                      targetCls: s.targetCls, names: names)
        #expect(m == m2)
        #expect(c.confidence.count == 1000 && c.precision.count == 2 && c.f1.count == 2 && c.prPrecision.count == 2)
        for ci in 0..<2 {
            #expect(abs(c.precision[ci][m.bestConfIndex] - m.p[ci]) < 1e-12)
            #expect(abs(c.recall[ci][m.bestConfIndex] - m.r[ci]) < 1e-12)
            #expect(abs(c.f1[ci][m.bestConfIndex] - m.f1[ci]) < 1e-12)
            #expect(c.ap50[ci] == m.ap50[ci])
            // The PR curve is the monotone envelope: non-increasing in recall, 1 at recall 0.
            #expect(c.prPrecision[ci][0] == 1)
            #expect(zip(c.prPrecision[ci], c.prPrecision[ci].dropFirst()).allSatisfy { $0 >= $1 })
            // Trapezoid integral of the 1000-point curve is close to the 101-point AP.
            let integral = NumPy.trapezoid(c.prPrecision[ci], c.confidence)
            #expect(abs(integral - m.ap50[ci]) < 0.02)
        }
        #expect(APComputation.precision101(recall: [0.5], precision: [1]).count == 101)
    }

    @Test func confusionMatrixHandBuilt() {
        #expect(ConfusionMatrix(nc: 2).conf == 0.001 && ConfusionMatrix(nc: 2).iouThreshold == 0.45)
        var cm = ConfusionMatrix(nc: 2, conf: 0.25)
        // Image 1: GT0 cls0, GT1 cls1, GT2 cls0 (missed).
        let gt: [SIMD4<Float>] = [SIMD4(0, 0, 10, 10), SIMD4(20, 20, 30, 30), SIMD4(50, 50, 60, 60)]
        cm.process(detections: [
            Self.det(SIMD4(0, 0, 10, 9), 0.9, 0),       // TP cls0 on GT0
            Self.det(SIMD4(0, 0, 10, 10), 0.8, 0),      // duplicate: GT0 claimed → FP (cls0, bg)
            Self.det(SIMD4(20, 20, 30, 29), 0.7, 0),    // confusion: pred 0 on true 1
            Self.det(SIMD4(80, 80, 90, 90), 0.6, 1),    // FP cls1 background
            Self.det(SIMD4(50, 50, 60, 60), 0.2, 0),    // below conf 0.25: ignored → GT2 FN
        ], gtBoxes: gt, gtClasses: [0, 1, 0])
        #expect(cm.matrix == [[1, 1, 1], [0, 0, 1], [1, 0, 0]])
        // Image without GT: kept detections are FPs; image without detections: GTs are FNs.
        cm.process(detections: [Self.det(SIMD4(0, 0, 5, 5), 0.5, 1), Self.det(SIMD4(0, 0, 5, 5), 0.1, 1)],
                   gtBoxes: [], gtClasses: [])
        cm.process(detections: [], gtBoxes: [SIMD4(0, 0, 5, 5)], gtClasses: [1])
        #expect(cm.matrix == [[1, 1, 1], [0, 0, 2], [1, 1, 0]])
        // A low-overlap detection (IoU 0.4) does not match: one FN and one FP.
        var cm2 = ConfusionMatrix(nc: 1, conf: 0.001)
        cm2.process(detections: [Self.det(SIMD4(0, 0, 10, 4), 0.01, 0)], gtBoxes: [SIMD4(0, 0, 10, 10)],
                    gtClasses: [0])
        #expect(cm2.matrix == [[0, 1], [1, 0]])
        let tpfp = cm.tpFp()
        #expect(tpfp.tp == [1, 0] && tpfp.fp == [2, 2])
        let n = cm.normalized()
        #expect(abs(n[0][0] - 0.5) < 1e-9 && abs(n[2][0] - 0.5) < 1e-9 && abs(n[1][2] - 2.0 / 3) < 1e-9)
    }

    @Test func mosaicLayout() {
        let l = BatchMosaic.layout(count: 5, imageHeight: 480, imageWidth: 640)
        #expect(l.ns == 3 && l.tileWidth == 640 && l.tileHeight == 480 && l.width == 1920 && l.height == 1440)
        #expect(l.origin(0) == (0, 0) && l.origin(1) == (0, 480) && l.origin(3) == (640, 0))
        let big = BatchMosaic.layout(count: 32, imageHeight: 640, imageWidth: 640)
        #expect(big.count == 16 && big.ns == 4 && big.tileWidth == 480 && big.width == 1920)
        let two = BatchMosaic.layout(count: 2, imageHeight: 512, imageWidth: 672)
        #expect(two.ns == 2 && two.width == 1344 && two.height == 1024)  // as the reference's val_batch0 with batch 2
    }

    static func predKeypoints() -> [Float] {
        var kp: [Float] = []
        for k in 0..<17 {
            let x = Float(40 + 2 * k), y = Float(25 + 3 * k)
            kp += [x, y, 0.9]
        }
        return kp
    }

    static func batch() -> ValBatch {
        let h = 96, w = 128
        var images: [Image] = []
        for i in 0..<3 {
            var img = Image(width: w, height: h, order: .bgr, repeating: 114)
            for y in 20..<70 { for x in 30..<90 { img.pixels[(y * w + x) * 3 + i] = 200 } }
            images.append(img)
        }
        let kp = (0..<17).map { k in SIMD3<Float>(0.3 + 0.02 * Float(k), 0.25 + 0.03 * Float(k), k % 5 == 0 ? 0 : 2) }
        let label = PoseLabel(cls: 0, box: SIMD4(0.47, 0.47, 0.47, 0.52), keypoints: kp)
        return ValBatch(images: images, files: (0..<3).map { URL(fileURLWithPath: "/x/img\($0).jpg") },
                        indices: [0, 1, 2], origShapes: Array(repeating: (h, w), count: 3),
                        loadedShapes: Array(repeating: (h, w), count: 3), shape: (h, w),
                        ratioPads: Array(repeating: ((1, 1), (0, 0)), count: 3),
                        labels: [[label], [], [label]])
    }

    @Test func mosaicDrawsTilesAndAnnotations() throws {
        let font = try FontRenderer.shared()
        let b = Self.batch()
        let kp = Self.predKeypoints()
        let preds = [[Self.det(SIMD4(30, 20, 90, 70), 0.8, 0, kpts: kp), Self.det(SIMD4(0, 0, 10, 10), 0.1, 0)], [], []]
        let labels = BatchMosaic.render(batch: b, names: [0: "person"], font: font)
        let pred = BatchMosaic.render(batch: b, predictions: preds, names: [0: "person"], font: font)
        #expect(labels.width == 256 && labels.height == 192 && pred.width == 256 && pred.height == 192)
        // Tile 3 (column 1, row 1) is empty: white.
        let c = Canvas(labels)
        #expect(c.pixel(200, 150) == BGR(255, 255, 255))
        // Tile 1 (column 0, row 1) has no labels: its interior shows the image (114 grey / coloured square).
        #expect(Canvas(labels).pixel(10, 180) == BGR(114, 114, 114))
        // Tile 2 (column 1, row 0) carries the red-channel square.
        #expect(Canvas(labels).pixel(128 + 84, 30).r == 200)
        // The box colour of class 0 appears in both images.
        let boxColor = Palette.general(0)
        func count(_ img: Image, _ color: BGR) -> Int {
            let cv = Canvas(img)
            var n = 0
            for y in 0..<img.height { for x in 0..<img.width where cv.pixel(x, y) == color { n += 1 } }
            return n
        }
        #expect(count(labels, boxColor) > 50 && count(pred, boxColor) > 50)
        #expect(Self.distinctColors(pred) > 20)
        // The below-threshold prediction in tile 0's corner is not drawn, the GT labels differ from predictions.
        #expect(labels.pixels != pred.pixels)
    }

    @Test func writeAllProducesEveryFile() throws {
        let dir = Self.outDir("all")
        let s = Self.stats()
        let names = [0: "person", 1: "dog"]
        let metrics = PoseMetrics(stats: s, names: names)
        var cm = ConfusionMatrix(nc: 2)
        cm.process(detections: [Self.det(SIMD4(0, 0, 10, 9), 0.9, 0), Self.det(SIMD4(20, 20, 30, 29), 0.7, 0),
                                Self.det(SIMD4(80, 80, 90, 90), 0.6, 1)],
                   gtBoxes: [SIMD4(0, 0, 10, 10), SIMD4(20, 20, 30, 30), SIMD4(50, 50, 60, 60)], gtClasses: [0, 1, 1])
        let b = Self.batch()
        let kp = Self.predKeypoints()
        let preds = [[Self.det(SIMD4(30, 20, 90, 70), 0.8, 0, kpts: kp)], [], []]
        try ValPlots.writeAll(stats: s, metrics: metrics, confusion: cm, batches: [(b, preds), (b, preds)], to: dir)

        let curves = ["Box", "Pose"].flatMap { ValPlots.curveFileNames(prefix: $0) }
        #expect(curves.count == 8)
        for f in curves {
            let img = try ImageIO.read(dir.appendingPathComponent(f))
            #expect(img.width == CurvePlot.width && img.height == CurvePlot.height, "\(f)")
            #expect(Self.distinctColors(img) > 30, "\(f)")
            // Thick blue mean line pixels inside the plotting area.
            let cv = Canvas(img)
            var blue = 0
            for y in 44..<(CurvePlot.height - 64) {
                for x in 72..<500 where cv.pixel(x, y) == ChartColors.meanLine { blue += 1 }
            }
            #expect(blue > 300, "\(f): \(blue) mean-line pixels")
            // Per-class colours present (2 classes → tab10 blue and orange).
            var orange = 0
            for y in 44..<(CurvePlot.height - 64) {
                for x in 72..<500 where cv.pixel(x, y) == ChartColors.cycle[1] { orange += 1 }
            }
            #expect(orange > 20, "\(f): \(orange) class-1 pixels")
        }
        for f in ValPlots.confusionFileNames {
            let img = try ImageIO.read(dir.appendingPathComponent(f))
            #expect(img.width == ConfusionMatrixPlot.width && img.height == ConfusionMatrixPlot.height)
            #expect(Self.distinctColors(img) > 10, "\(f)")
        }
        for k in 0..<2 {
            let (l, p) = ValPlots.batchFileNames(k)
            for f in [l, p] {
                let img = try ImageIO.read(dir.appendingPathComponent(f))
                #expect(img.width == 256 && img.height == 192, "\(f)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("val_batch2_labels.jpg").path))
    }
}
