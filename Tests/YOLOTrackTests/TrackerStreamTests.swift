import Foundation
import XCTest
import YOLOModel
import YOLOTestSupport
@testable import YOLOTrack

/// Tracker-level parity: the synthetic detection streams of `Tests/Fixtures/track/streams.json`
/// (`Scripts/reference/tracker_streams.py`, Ultralytics 8.4.190's ByteTrack, BoT-SORT and TrackTrack with GMC off,
/// default and varied settings) fed to our trackers give the same rows: ids, classes and detection indices equal,
/// scores equal, boxes within 1e-3 px (the Kalman filter runs in float64 on both sides).
final class TrackerStreamTests: XCTestCase {
    func testStreamsMatchReference() throws {
        let data = try Data(contentsOf: Fixtures.url("track/streams.json"))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 12)
        var rowsChecked = 0, worst: Float = 0
        for c in cases {
            let cfgDict = try XCTUnwrap(c["config"] as? [String: Any])
            let items: [(String, ConfigNode)] = cfgDict.keys.sorted().map { k in (k, Self.node(k, cfgDict[k]!)) }
            let config = try TrackerConfig(file: "fixture", items: items)
            let tracker = try config.makeTracker()
            let frames = try XCTUnwrap(c["frames"] as? [[String: Any]])
            for (f, frame) in frames.enumerated() {
                let dets = (frame["dets"] as! [[Double]]).map { $0.map(Float.init) }
                let xywh = dets.map { d -> SIMD4<Float> in
                    SIMD4((d[0] + d[2]) / 2, (d[1] + d[3]) / 2, d[2] - d[0], d[3] - d[1])
                }
                let input = TrackerDetections(xywh: xywh, conf: dets.map { $0[4] }, cls: dets.map { $0[5] })
                let got = tracker.update(input, image: nil)
                let want = (frame["tracks"] as! [[Double]]).map { $0.map(Float.init) }
                let label = "\(config.trackerType) seed \(c["seed"]!) frame \(f + 1)"
                XCTAssertEqual(got.count, want.count, "\(label): track count")
                guard got.count == want.count else { continue }
                for (g, w) in zip(got, want) {
                    XCTAssertEqual(g.id, Int(w[4]), "\(label): id")
                    XCTAssertEqual(g.index, Int(w[7]), "\(label): detection index")
                    XCTAssertEqual(g.cls, w[6], "\(label): class")
                    XCTAssertEqual(g.score, w[5], "\(label): score")
                    for k in 0..<4 {
                        worst = max(worst, abs(g.xyxy[k] - w[k]))
                        XCTAssertEqual(g.xyxy[k], w[k], accuracy: 1e-3, "\(label): box[\(k)]")
                    }
                    rowsChecked += 1
                }
            }
        }
        XCTAssertGreaterThan(rowsChecked, 1000)
        print("TrackerStreamTests: \(rowsChecked) rows, max box difference \(worst) px")
    }

    /// JSON value → config node; the two boolean keys are read as booleans (Foundation's JSON numbers and
    /// booleans share NSNumber on Linux).
    static func node(_ key: String, _ v: Any) -> ConfigNode {
        if key == "fuse_score" || key == "with_reid" { return .bool((v as? NSNumber)?.boolValue ?? false) }
        if let s = v as? String { return .string(s) }
        if let n = v as? NSNumber { return .double(n.doubleValue) }
        return .none
    }
}
