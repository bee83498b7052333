import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTestSupport

/// Predictions against Ultralytics 8.4.190 on the coco8-pose images. Reference:
/// Tests/Fixtures/predict/predictions.json, made by Scripts/reference/make_predict_fixtures.py.
///
/// Tolerances (issue #3): the same number of detections per image; each reference detection matched by a
/// detection of ours with the same class, confidence within 1e-3, box corners and keypoint x/y within 0.5 px
/// (keypoint visibility within 1e-3).
/// Exactly tied scores (the random tiny models produce hundreds) may be ordered differently, because our
/// float sums are not bit-identical to PyTorch's; a reference detection tied with the lowest kept score of a
/// `max_det`-truncated image may therefore be swapped for an equally scored one.
/// Configurations whose reference has exactly tied scores (the random-weight tiny models with custom
/// `kpt_shape` [5,3] and [12,2], and the barely trained model at conf 0.005, give hundreds) are compared only
/// above the first tied score, and not by count: which of two tied overlapping boxes NMS keeps depends on
/// the last bit of the score. "Tied" means within `tieTolerance` (1e-6): the barely trained model at conf 0.005
/// has dozens of overlapping boxes scored 0.0122971 ± 1e-7, whose order the convolution layout (NHWC or nChw8c,
/// both within the forward parity tolerances) decides.
final class PredictParityTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    /// Scores closer than this are tied for NMS's order (our scores match the reference's to ~1e-6; see
    /// ForwardParityTests).
    static let tieTolerance: Float = 1e-6

    struct RefDetection { let box: [Float]; let conf: Float; let cls: Int; let keypoints: [[Float]] }

    func testAllReferenceConfigurations() throws {
        let url = Fixtures.url("predict/predictions.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let configs = root["configurations"] as! [[String: Any]]
        var models: [String: YOLONetwork] = [:]
        var compared = 0, detections = 0
        for cfg in configs where cfg["same_as"] == nil {
            let name = cfg["name"] as! String
            let ckpt = cfg["checkpoint"] as! String
            let net = try models[ckpt] ?? YOLONetwork.load(Fixtures.path(ckpt))
            models[ckpt] = net
            var o = PredictOptions()
            o.imgsz = [cfg["imgsz"] as! Int]
            o.conf = Float(cfg["conf"] as! Double)
            let extra = cfg["extra"] as? [String: Any] ?? [:]
            if let c = extra["classes"] as? [Int] { o.classes = c }
            if let a = extra["agnostic_nms"] as? Bool { o.agnosticNMS = a }
            if let m = extra["max_det"] as? Int { o.maxDet = m }
            if let i = extra["iou"] as? Double { o.iou = Float(i) }
            let predictor = try Predictor(model: net, options: o)
            for img in cfg["images"] as! [[String: Any]] {
                let file = img["source"] as! String
                let image = try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent(file))
                let r = try predictor.predict(image, path: file)
                let label = "\(name) \(file)"
                let inShape = img["input_shape"] as! [Int]
                XCTAssertEqual([r.inputShape.height, r.inputShape.width], inShape, "\(label): letterboxed shape")
                let degenerate = (cfg["detections_with_exactly_tied_conf"] as? Int ?? 0) > 0
                if !degenerate { XCTAssertEqual(r.count, img["n"] as! Int, "\(label): detection count") }
                guard var refs = (img["detections"] as? [[String: Any]])?.map(parse) else { continue }
                if degenerate {
                    let firstTie = refs.indices.first { i in
                        refs.indices.contains { $0 != i && abs(refs[$0].conf - refs[i].conf) <= Self.tieTolerance }
                    }
                    refs = Array(refs.prefix(firstTie ?? refs.count))
                }
                compared += 1
                detections += refs.count
                match(refs, r, truncated: !degenerate && refs.count == o.maxDet, label: label)
            }
        }
        XCTAssertGreaterThan(compared, 0, "no reference detections compared")
        print("PredictParityTests: \(compared) images, \(detections) reference detections matched")
    }

    func parse(_ d: [String: Any]) -> RefDetection {
        RefDetection(box: (d["xyxy"] as! [Double]).map(Float.init), conf: Float(d["conf"] as! Double), cls: d["cls"] as! Int,
                     keypoints: (d["keypoints"] as! [[Double]]).map { $0.map(Float.init) })
    }

    func close(_ a: RefDetection, _ r: Results, _ j: Int) -> Bool {
        guard r.boxes.cls[j] == a.cls, abs(r.boxes.conf[j] - a.conf) <= 1e-3 else { return false }
        let b = r.boxes.xyxy[j]
        for k in 0..<4 where abs(b[k] - a.box[k]) > 0.5 { return false }
        guard let kp = r.keypoints?.data[j] else { return a.keypoints.isEmpty }
        for (p, q) in zip(kp, a.keypoints) {
            if abs(p[0] - q[0]) > 0.5 || abs(p[1] - q[1]) > 0.5 { return false }
            if p.count == 3 && abs(p[2] - q[2]) > 1e-3 { return false }
        }
        return true
    }

    func match(_ refs: [RefDetection], _ r: Results, truncated: Bool, label: String) {
        var used = [Bool](repeating: false, count: r.count)
        let lowest = refs.map(\.conf).min() ?? 0
        var misses: [Int] = []
        for (i, a) in refs.enumerated() {
            if i < r.count, !used[i], close(a, r, i) { used[i] = true; continue }
            if let j = (0..<r.count).first(where: { !used[$0] && close(a, r, $0) }) { used[j] = true; continue }
            misses.append(i)
        }
        let excused = misses.filter { truncated && abs(refs[$0].conf - lowest) <= 1e-6 }
        let unexplained = misses.filter { !excused.contains($0) }
        if let i = unexplained.first {
            let a = refs[i]
            XCTFail("\(label): reference detection \(i) (cls \(a.cls), conf \(a.conf), box \(a.box)) has no match; \(unexplained.count) unmatched")
        }
    }
}
