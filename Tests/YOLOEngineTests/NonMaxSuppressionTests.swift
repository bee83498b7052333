import XCTest
import YOLOEngine
import YOLOTensor

/// NMS and coordinate mapping on hand-built head outputs (rules from spec §4.1–4.2).
final class NonMaxSuppressionTests: XCTestCase {
    /// Builds a [1, 4 + nc + extra, A] output from rows of (cx, cy, w, h, scores…, extras…).
    func output(_ rows: [[Float]]) -> Tensor {
        let c = rows[0].count, a = rows.count
        var v = [Float](repeating: 0, count: c * a)
        for (i, r) in rows.enumerated() { for j in 0..<c { v[j * a + i] = r[j] } }
        return Tensor(shape: [1, c, a], values: v)
    }

    func testThresholdIsStrictAndBestClassWins() {
        let out = output([[10, 10, 4, 4, 0.25, 0.1], [50, 50, 4, 4, 0.2, 0.26], [90, 90, 4, 4, 0.3, 0.9]])
        let d = nonMaxSuppression(out, nc: 2, options: NMSOptions())[0]
        XCTAssertEqual(d.map(\.cls), [1, 1])
        XCTAssertEqual(d.map(\.conf), [0.9, 0.26])
        XCTAssertEqual(d[0].box, SIMD4(88, 88, 92, 92))
    }

    func testSuppressionIsPerClassUnlessAgnostic() {
        // Two overlapping boxes (IoU 0.81) of different classes and a third overlapping the first, same class.
        let rows: [[Float]] = [[50, 50, 20, 20, 0.9, 0.0, 7], [51, 51, 20, 20, 0.0, 0.8, 8], [50, 51, 20, 20, 0.7, 0.0, 9]]
        let o = NMSOptions()
        let d = nonMaxSuppression(output(rows), nc: 2, options: o)[0]
        XCTAssertEqual(d.map(\.keypoints), [[7], [8]])   // extras ride along unchanged
        var ag = NMSOptions()
        ag.agnostic = true
        XCTAssertEqual(nonMaxSuppression(output(rows), nc: 2, options: ag)[0].map(\.keypoints), [[7]])
        var cls = NMSOptions()
        cls.classes = [1]
        XCTAssertEqual(nonMaxSuppression(output(rows), nc: 2, options: cls)[0].map(\.cls), [1])
    }

    func testMultiLabelKeepsEveryClassAboveConf() {
        // One anchor scoring 0.6 for class 0 and 0.4 for class 1: two candidates of different classes survive NMS.
        let out = output([[50, 50, 20, 20, 0.6, 0.4, 7], [90, 90, 4, 4, 0.2, 0.1, 8]])
        var o = NMSOptions()
        o.conf = 0.15
        o.multiLabel = true
        let d = nonMaxSuppression(out, nc: 2, options: o)[0]
        XCTAssertEqual(d.map(\.cls), [0, 1, 0])
        XCTAssertEqual(d.map(\.conf), [0.6, 0.4, 0.2])
        XCTAssertEqual(d[1].keypoints, [7])
        o.multiLabel = false
        XCTAssertEqual(nonMaxSuppression(out, nc: 2, options: o)[0].map(\.cls), [0, 0])
    }

    func testIoUThresholdIsStrictAndMaxDet() {
        // IoU of [0,0,10,10] and [5,0,15,10] is 50/150 = 1/3.
        let rows: [[Float]] = [[5, 5, 10, 10, 0.9], [10, 5, 10, 10, 0.8], [100, 100, 10, 10, 0.7]]
        var o = NMSOptions()
        o.iou = 1.0 / 3
        XCTAssertEqual(nonMaxSuppression(output(rows), nc: 1, options: o)[0].count, 3)
        o.iou = 0.33
        XCTAssertEqual(nonMaxSuppression(output(rows), nc: 1, options: o)[0].count, 2)
        o.maxDet = 1
        XCTAssertEqual(nonMaxSuppression(output(rows), nc: 1, options: o)[0].map(\.conf), [0.9])
    }

    func testLetterboxMappingUsesPerAxisGains() {
        // Spec §4.2: a 333×517 image at imgsz 640 is letterboxed to 416×640 with 412×640 content.
        let m = LetterboxMapping(input: (416, 640), original: (333, 517))
        XCTAssertEqual(m.gainX, 640.0 / 517, accuracy: 1e-6)
        XCTAssertEqual(m.gainY, 412.0 / 333, accuracy: 1e-6)
        XCTAssertEqual(m.padX, 0)
        XCTAssertEqual(m.padY, 2)
        XCTAssertEqual(m.box(SIMD4(-5, 2, 640, 414)), SIMD4(0, 0, 517, 333))
        // Odd padding puts the extra pixel at the bottom/right: 13 → top 6.
        XCTAssertEqual(LetterboxMapping(input: (640, 640), original: (627, 640)).padY, 6)
    }
}
