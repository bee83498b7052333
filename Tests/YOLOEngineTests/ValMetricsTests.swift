import Foundation
import XCTest
import YOLOEngine
import YOLOTestSupport

/// Validation metrics (spec §5.3–5.5) against the reference PoseValidator (Tests/Fixtures/val, made by
/// Scripts/reference/make_val_fixtures.py) and the spec's verified examples.
final class ValMetricsTests: XCTestCase {
    // MARK: fixtures

    struct Metric: Decodable {
        let p, r, ap50, ap: [Double]
        let all_ap: [[Double]]
        let ap_class_index: [Int]
        let mp, mr, map50, map: Double
    }
    struct Stats: Decodable {
        let tp, tp_p: [String]
        let conf: [Float]
        let pred_cls, target_cls: [Int]
        /// np.argsort(-conf) as the reference ran it (numpy's default sort is not stable).
        let ref_order: [Int]
    }
    struct Image: Decodable {
        let name: String
        let imgsz: [Int]
        let n_pred_total: Int
        let gt_boxes: [[Float]]
        let gt_cls: [Int]
        let gt_kpts: [[[Float]]]
        let pred_boxes: [[Float]]
        let pred_conf: [Float]
        let pred_cls: [Int]
        let pred_kpts: [[[Float]]]
        let tp, tp_p: [String]
        /// The reference's IoU and OKS matrices (GT × stored preds) for these inputs, before the class mask.
        let iou, oks: [[Float]]
    }
    struct MatchCase: Decodable {
        let similarity: [[Float]]
        let gt_cls, pred_cls: [Int]
        let tp: [String]
    }
    struct Config: Decodable {
        let name: String
        let kpt_oks_sigmas: [Float]?
    }
    struct Run: Decodable {
        let config: Config
        let sigmas: [Float]
        let header, row: String
        let seen: Int
        let nt_per_class, nt_per_image: [Int]
        let results_dict: [String: Double]
        let fitness: Double
        let mean_results: [Double]
        let box, pose: Metric
        let stats: Stats
        let images: [Image]
    }

    static let runNames = ["overfit-640", "overfit-320", "overfit-640-sigmas", "trained-640", "trained-320"]

    func load(_ name: String) throws -> Run {
        try JSONDecoder().decode(Run.self, from: Data(contentsOf: Fixtures.url("val/\(name).json")))
    }

    func bools(_ rows: [String]) -> [[Bool]] { rows.map { $0.map { $0 == "1" } } }

    /// The reference's concatenated stats, with predictions permuted into the order its AP code visited them.
    /// Our sort keeps equal confidences in input order, so this reproduces the reference's order of ties (which comes
    /// from numpy's unstable sort); without it only tie-free runs can match exactly.
    func referenceStats(_ run: Run, permuted: Bool = true) -> DetectionStats {
        let o = permuted ? run.stats.ref_order : Array(run.stats.conf.indices)
        let tp = bools(run.stats.tp), tpP = bools(run.stats.tp_p)
        return DetectionStats(tp: o.map { tp[$0] }, tpPose: o.map { tpP[$0] }, conf: o.map { run.stats.conf[$0] },
                              predCls: o.map { run.stats.pred_cls[$0] }, targetCls: run.stats.target_cls,
                              images: run.seen)
    }

    func boxes(_ v: [[Float]]) -> [SIMD4<Float>] { v.map { SIMD4($0[0], $0[1], $0[2], $0[3]) } }

    // MARK: spec examples

    func testThresholds() {
        XCTAssertEqual(Matching.iouThresholds.count, 10)
        XCTAssertEqual(Matching.iouThresholds[0], 0.5)
        XCTAssertEqual(Matching.iouThresholds[8], Float(0.9))
        XCTAssertEqual(Matching.iouThresholds[8], 0.89999998, accuracy: 1e-8)
        XCTAssertEqual(Matching.iouThresholds[9], Float(0.95))
    }

    func testVerifiedMatchingExample() {
        // GT×pred IoU [[.60, .90, 0], [.55, 0, .72]]: pred0 TP at 0.50–0.60, pred1 at 0.65–0.90, pred2 at 0.50–0.70.
        let sim: [[Float]] = [[0.60, 0.90, 0], [0.55, 0, 0.72]]
        let tp = Matching.match(similarity: sim, gtClasses: [0, 0], predClasses: [0, 0, 0])
        let t = Matching.iouThresholds
        XCTAssertEqual(tp[0], t.map { $0 <= 0.6 })
        XCTAssertEqual(tp[1], t.map { $0 >= 0.65 && $0 <= Float(0.9) })
        XCTAssertEqual(tp[2], t.map { $0 <= 0.7 })
        // IoU exactly 0.9 passes the float32 0.9 threshold.
        XCTAssertEqual(tp[1][8], true)
        // Wrong-class pairs count as 0.
        let tpc = Matching.match(similarity: sim, gtClasses: [0, 1], predClasses: [0, 0, 0])
        XCTAssertEqual(tpc[2], [Bool](repeating: false, count: 10))
        // No GT or no predictions.
        XCTAssertEqual(Matching.match(similarity: [], gtClasses: [], predClasses: [0]), [[Bool]](repeating: [Bool](repeating: false, count: 10), count: 1))
        XCTAssertEqual(Matching.match(similarity: [[]], gtClasses: [0], predClasses: []), [])
    }

    func testBoxIoUAndOKSBasics() {
        let iou = Matching.boxIoU([SIMD4(0, 0, 10, 10)], [SIMD4(5, 0, 15, 10), SIMD4(0, 0, 10, 10), SIMD4(20, 20, 30, 30)])
        XCTAssertEqual(iou[0][0], 50 / (150 + 1e-7), accuracy: 1e-7)
        XCTAssertEqual(iou[0][1], 100 / (100 + 1e-7), accuracy: 1e-7)
        XCTAssertEqual(iou[0][2], 0)
        // OKS: identical keypoints → 1 (up to eps); unlabelled keypoints are ignored; no labelled keypoint → 0.
        let g: [SIMD3<Float>] = [SIMD3(10, 10, 2), SIMD3(20, 20, 0)]
        let o = Matching.oks(gt: [g, [SIMD3(1, 1, 0), SIMD3(2, 2, 0)]], gtAreas: [100, 100],
                             pred: [[SIMD2(10, 10), SIMD2(90, 90)], [SIMD2(13, 14), SIMD2(20, 20)]], sigmas: [0.1, 0.1])
        XCTAssertEqual(o[0][0], 1, accuracy: 1e-6)
        XCTAssertEqual(o[0][1], Float(Foundation.exp(-25.0 / (8 * 0.01 * 100))), accuracy: 1e-6)
        XCTAssertEqual(o[1], [0, 0])
    }

    func testSigmas() throws {
        XCTAssertEqual(try OKS.sigmas(count: 17), OKS.cocoSigmas)
        XCTAssertEqual(OKS.cocoSigmas.count, 17)
        // Divided by 10 in Float, like the reference's float32 array: 0.025999999 rather than Float(0.026).
        XCTAssertEqual(OKS.cocoSigmas[0], Float(0.26) / 10)
        XCTAssertEqual(OKS.cocoSigmas[0], 0.025999999)
        XCTAssertEqual(OKS.cocoSigmas[11], 0.10700001)
        XCTAssertEqual(OKS.cocoSigmas[16], 0.089)
        XCTAssertEqual(try OKS.sigmas(count: 17, dims: 2), [Float](repeating: Float(1.0 / 17.0), count: 17))
        XCTAssertEqual(try OKS.sigmas(count: 5), [Float](repeating: 0.2, count: 5))
        XCTAssertEqual(try OKS.sigmas(count: 2, override: [0.1, 0.2]), [0.1, 0.2])
        XCTAssertThrowsError(try OKS.sigmas(count: 3, override: [0.1, 0.2]))
        XCTAssertThrowsError(try OKS.sigmas(count: 2, override: [0.1, 0]))
        for name in Self.runNames {
            let run = try load(name)
            XCTAssertEqual(try OKS.sigmas(count: 17, override: run.config.kpt_oks_sigmas), run.sigmas, name)
        }
    }

    func testPerfectDetectorAndSingleTP() {
        let all = [Bool](repeating: true, count: 10), none = [Bool](repeating: false, count: 10)
        // Perfect detector: 3 GT, 3 TPs → AP 0.995 at every threshold, P = R = 1.
        let perfect = APComputation.compute(tp: [all, all, all], conf: [0.9, 0.8, 0.7], predCls: [0, 0, 0],
                                            targetCls: [0, 0, 0])
        for v in perfect.apPerThreshold[0] { XCTAssertEqual(v, 0.995, accuracy: 1e-12) }
        XCTAssertEqual(perfect.mp, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.mr, 1, accuracy: 1e-12)
        // A single TP at recall 0.5 with precision 1 → 0.495.
        let single = APComputation.compute(tp: [all], conf: [0.9], predCls: [0], targetCls: [0, 0])
        XCTAssertEqual(single.map50, 0.495, accuracy: 1e-12)
        XCTAssertEqual(single.map, 0.495, accuracy: 1e-12)
        // Direct curve form.
        XCTAssertEqual(APComputation.averagePrecision(recall: [0.5], precision: [1]), 0.495, accuracy: 1e-12)
        XCTAssertEqual(APComputation.averagePrecision(recall: [1], precision: [1]), 0.995, accuracy: 1e-12)
        // Classes only predicted are ignored; a GT class without predictions scores 0.
        let m = APComputation.compute(tp: [all, none], conf: [0.9, 0.8], predCls: [0, 5], targetCls: [0, 1])
        XCTAssertEqual(m.classIndex, [0, 1])
        XCTAssertEqual(m.ap50, [0.995, 0], accuracy: 1e-12)
        XCTAssertEqual(m.p[1], 0)
        XCTAssertEqual(m.r[1], 0)
        // Nothing at all.
        let empty = APComputation.compute(tp: [], conf: [], predCls: [], targetCls: [])
        XCTAssertEqual(empty.meanResults, [0, 0, 0, 0])
    }

    func testNumPyInterpSemantics() {
        // Right-most duplicate wins at the duplicated x; left / right defaults.
        XCTAssertEqual(NumPy.interp([0.5, 0.25, 1, -1, 2], [0, 0.5, 0.5, 1], [1, 1, 0, 0]), [0, 1, 0, 1, 0])
        XCTAssertEqual(NumPy.interp([-1, 2], [0, 1], [3, 4], left: 7, right: 9), [7, 9])
        XCTAssertEqual(NumPy.interp([0.75], [0, 1], [0, 2])[0], 1.5)
        XCTAssertEqual(NumPy.trapezoid([1, 1, 0], [0, 0.5, 1]), 0.75)
    }

    // MARK: reference parity

    /// The reference's own concatenated stats through our AP code: all 8 metrics, per-class and per-threshold APs.
    func testAPFromReferenceStats() throws {
        for name in Self.runNames {
            let run = try load(name)
            let m = PoseMetrics(stats: referenceStats(run), names: [0: "person"])
            for (ours, ref, kind) in [(m.box, run.box, "box"), (m.pose, run.pose, "pose")] {
                let msg = "\(name) \(kind)"
                XCTAssertEqual(ours.classIndex, ref.ap_class_index, msg)
                XCTAssertEqual(ours.p, ref.p, accuracy: 1e-6, msg + " p")
                XCTAssertEqual(ours.r, ref.r, accuracy: 1e-6, msg + " r")
                XCTAssertEqual(ours.ap50, ref.ap50, accuracy: 1e-6, msg + " ap50")
                XCTAssertEqual(ours.ap, ref.ap, accuracy: 1e-6, msg + " ap")
                for (a, b) in zip(ours.apPerThreshold, ref.all_ap) { XCTAssertEqual(a, b, accuracy: 1e-6, msg + " all_ap") }
                XCTAssertEqual([ours.mp, ours.mr, ours.map50, ours.map], [ref.mp, ref.mr, ref.map50, ref.map],
                               accuracy: 1e-6, msg)
            }
            XCTAssertEqual(m.meanResults, run.mean_results, accuracy: 1e-6, name)
            let worst = zip(m.meanResults, run.mean_results).map { abs($0 - $1) }.max()!
            let worstAP = zip((m.box.apPerThreshold + m.pose.apPerThreshold).flatMap { $0 },
                              (run.box.all_ap + run.pose.all_ap).flatMap { $0 }).map { abs($0 - $1) }.max()!
            print("ValMetricsTests: \(name): max |Δ| of the 8 metrics \(worst), of per-threshold APs \(worstAP)")
            XCTAssertEqual(m.fitness, run.fitness, accuracy: 1e-6, name)
            XCTAssertEqual(Set(m.resultsDict.keys), Set(run.results_dict.keys), name)
            for (k, v) in run.results_dict { XCTAssertEqual(m.resultsDict[k]!, v, accuracy: 1e-6, "\(name) \(k)") }
            XCTAssertEqual(m.instancesPerClass, run.nt_per_class, name)
        }
    }

    /// Without ties in confidence (the overfit runs) the input order does not matter; with ties (trained-n-pose)
    /// the order of equal confidences changes AP, so the unpermuted stats give different (but valid) values.
    func testTieOrder() throws {
        for name in ["overfit-640", "overfit-320", "overfit-640-sigmas"] {
            let run = try load(name)
            XCTAssertEqual(Set(run.stats.conf).count, run.stats.conf.count, name)
            let a = PoseMetrics(stats: referenceStats(run, permuted: false), names: [0: "person"])
            XCTAssertEqual(a.meanResults, run.mean_results, accuracy: 1e-6, name)
        }
        let run = try load("trained-640")
        XCTAssertLessThan(Set(run.stats.conf).count, run.stats.conf.count)
        let a = PoseMetrics(stats: referenceStats(run, permuted: false), names: [0: "person"])
        XCTAssertGreaterThan(abs(a.box.map - run.box.map), 1e-4)
    }

    /// Per-image matching inputs (GT and NMS output in input pixels) reproduce the reference tp / tp_p rows, and
    /// feeding all images of a run through `append` gives the reference's stats for those images.
    func testMatchingReproducesReferenceTP() throws {
        var checked = 0
        for name in Self.runNames {
            let run = try load(name)
            let sigmas = try OKS.sigmas(count: 17, override: run.config.kpt_oks_sigmas)
            for im in run.images {
                let msg = "\(name) \(im.name)"
                let gtBoxes = boxes(im.gt_boxes), predBoxes = boxes(im.pred_boxes)
                let iou = Matching.boxIoU(gtBoxes, predBoxes)
                let tp = Matching.match(similarity: iou, gtClasses: im.gt_cls, predClasses: im.pred_cls)
                XCTAssertEqual(tp, bools(im.tp), msg + " tp")
                let gtK = im.gt_kpts.map { $0.map { SIMD3($0[0], $0[1], $0[2]) } }
                let prK = im.pred_kpts.map { $0.map { SIMD3($0[0], $0[1], $0[2]) } }
                let oks = Matching.oks(gt: gtK, gtAreas: Matching.oksAreas(gtBoxes), pred: prK, sigmas: sigmas)
                let tpP = Matching.match(similarity: oks, gtClasses: im.gt_cls, predClasses: im.pred_cls)
                XCTAssertEqual(tpP, bools(im.tp_p), msg + " tp_p")
                XCTAssertEqual(tp.filter { $0[0] }.count, bools(im.tp).filter { $0[0] }.count, msg)
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 12)
        // The fixtures exercise real matches at several thresholds (not only all-false rows).
        let run = try load("overfit-640")
        XCTAssertTrue(run.images.contains { $0.tp.contains { $0.contains("1") && $0.contains("0") } })
        XCTAssertTrue(run.images.contains { $0.tp_p.contains { $0.contains("1") } })
    }

    /// Our IoU and OKS matrices against the reference's on the same per-image inputs.
    func testSimilarityMatricesMatchReference() throws {
        var maxIoU: Float = 0, maxOKS: Float = 0, cells = 0
        for name in Self.runNames {
            let run = try load(name)
            let sigmas = try OKS.sigmas(count: 17, override: run.config.kpt_oks_sigmas)
            for im in run.images {
                let gtBoxes = boxes(im.gt_boxes)
                let iou = Matching.boxIoU(gtBoxes, boxes(im.pred_boxes))
                let gtK = im.gt_kpts.map { $0.map { SIMD3($0[0], $0[1], $0[2]) } }
                let prK = im.pred_kpts.map { $0.map { SIMD3($0[0], $0[1], $0[2]) } }
                let oks = Matching.oks(gt: gtK, gtAreas: Matching.oksAreas(gtBoxes), pred: prK, sigmas: sigmas)
                XCTAssertEqual(iou.count, im.iou.count)
                XCTAssertEqual(oks.count, im.oks.count)
                for g in iou.indices {
                    for p in iou[g].indices {
                        maxIoU = max(maxIoU, abs(iou[g][p] - im.iou[g][p]))
                        maxOKS = max(maxOKS, abs(oks[g][p] - im.oks[g][p]))
                        cells += 1
                    }
                }
            }
        }
        print("ValMetricsTests: \(cells) GT×pred cells, max |ΔIoU| \(maxIoU), max |ΔOKS| \(maxOKS)")
        XCTAssertGreaterThan(cells, 1000)
        XCTAssertLessThanOrEqual(maxIoU, 1e-6)
        XCTAssertLessThanOrEqual(maxOKS, 1e-6)
    }

    /// Random similarity matrices on a 0.05 grid (ties, values exactly at thresholds, several classes) matched by the
    /// reference's matching method.
    func testMatchingSyntheticCases() throws {
        let cases = try JSONDecoder().decode([MatchCase].self,
                                             from: Data(contentsOf: Fixtures.url("val/matching.json")))
        XCTAssertEqual(cases.count, 30)
        for (i, c) in cases.enumerated() {
            let tp = Matching.match(similarity: c.similarity, gtClasses: c.gt_cls, predClasses: c.pred_cls)
            XCTAssertEqual(tp, bools(c.tp), "case \(i)")
        }
    }

    /// Per-image matching through `append` (stored predictions only: at most 60 per image) keeps the GT bookkeeping
    /// of the reference: instances and images per class.
    func testAppendFullImages() throws {
        let run = try load("overfit-640")
        var stats = DetectionStats()
        for im in run.images {
            XCTAssertLessThanOrEqual(im.pred_conf.count, im.n_pred_total)
            let gtBoxes = boxes(im.gt_boxes)
            let tp = Matching.match(similarity: Matching.boxIoU(gtBoxes, boxes(im.pred_boxes)), gtClasses: im.gt_cls,
                                    predClasses: im.pred_cls)
            let gtK = im.gt_kpts.map { $0.map { SIMD3($0[0], $0[1], $0[2]) } }
            let prK = im.pred_kpts.map { $0.map { SIMD2($0[0], $0[1]) } }
            let tpP = Matching.match(similarity: Matching.oks(gt: gtK, gtAreas: Matching.oksAreas(gtBoxes), pred: prK,
                                                              sigmas: OKS.cocoSigmas),
                                     gtClasses: im.gt_cls, predClasses: im.pred_cls)
            stats.append(tp: tp, tpPose: tpP, conf: im.pred_conf, predCls: im.pred_cls, targetCls: im.gt_cls)
        }
        XCTAssertEqual(stats.images, run.images.count)
        XCTAssertEqual(stats.targetCls.count, run.stats.target_cls.count)
        XCTAssertEqual(stats.imagesPerClass(nc: 1), run.nt_per_image)
        XCTAssertEqual(stats.instancesPerClass(nc: 1), run.nt_per_class)
    }

    // MARK: table

    func testTableMatchesReferencePrintedLines() throws {
        for name in Self.runNames {
            let run = try load(name)
            XCTAssertEqual(PoseMetrics.tableHeader(), run.header, name)
            let m = PoseMetrics(stats: referenceStats(run), names: [0: "person"])
            XCTAssertEqual(m.tableRow(name: "all", images: run.seen, instances: run.nt_per_class.reduce(0, +)),
                           run.row, name)
            XCTAssertEqual(m.tableRow(), run.row, name)
            XCTAssertEqual(m.tableHeader(), run.header)
            // The reference row printed from its own values formats identically too.
            XCTAssertEqual(PoseMetrics.formatRow(name: "all", images: run.seen, instances: 14, values: run.mean_results),
                           run.row, name)
            XCTAssertEqual(m.classRows().count, 1)
        }
    }

    func testPythonFormatting() throws {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("val/format.json"))) as! [String: [[Any]]]
        for case let pair in obj["g"]! {
            let v: Double
            if let s = pair[0] as? String { v = s == "nan" ? .nan : (s.hasPrefix("-") ? -.infinity : .infinity) }
            else { v = (pair[0] as! NSNumber).doubleValue }
            XCTAssertEqual(PyFormat.g(v, width: 11, precision: 3), pair[1] as! String, "\(v)")
        }
        for pair in obj["i"]! {
            XCTAssertEqual(PyFormat.i((pair[0] as! NSNumber).intValue, 11), pair[1] as! String)
        }
        for pair in obj["s"]! {
            XCTAssertEqual(PyFormat.s(pair[0] as! String, 22), pair[1] as! String)
        }
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count " + message, file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= accuracy) {
        XCTFail("\(message) [\(i)]: \(x) vs \(y)", file: file, line: line)
        return
    }
}
