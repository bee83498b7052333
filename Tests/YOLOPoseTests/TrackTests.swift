import Foundation
import XCTest
import YOLOPose
import YOLOTestSupport
import YOLOTrack

/// `model.track` end to end against Ultralytics 8.4.190 (`Tests/Fixtures/track/clips.json`, made by
/// `Scripts/reference/track_clips.py`): two lossless clips × ByteTrack, BoT-SORT (default sparse-optical-flow GMC,
/// OpenCV 4.6 here vs 5.0 there) and TrackTrack (the default tracker, also with GMC). Per frame the number of rows, the
/// ids and classes are equal; boxes within 0.05 px, scores within 1e-3, keypoints within 0.05 px (the detections
/// themselves agree within 1e-2 px; the bound is 0.5 px).
final class TrackTests: XCTestCase {
    static let model = Fixtures.path("overfit-n-pose.pt")

    func testClipsMatchReference() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let model = try YOLO(Self.model)
        var worstBox: Float = 0, worstKpt: Float = 0, rows = 0
        for kind in ["shifted", "moving"] {
            let clip = try TrackClips.make(kind, in: work)
            for tracker in ["bytetrack.yaml", "botsort.yaml", "tracktrack.yaml"] {
                let want = try TrackClips.reference(kind, tracker: tracker)
                let got = try model.track(clip.path, tracker: tracker)
                XCTAssertEqual(got.count, want.count, "\(kind) \(tracker): frames")
                for (f, (g, w)) in zip(got, want).enumerated() {
                    let label = "\(kind) \(tracker) frame \(f + 1)"
                    XCTAssertEqual(g.count, w.boxes.count, "\(label): rows")
                    guard g.count == w.boxes.count else { continue }
                    let tracked = w.boxes.first?.count == 7
                    XCTAssertEqual(g.boxes.isTrack, tracked || w.boxes.isEmpty && g.boxes.isTrack, "\(label): is_track")
                    for i in 0..<g.count {
                        let row = w.boxes[i]
                        for k in 0..<4 {
                            worstBox = max(worstBox, abs(g.boxes.xyxy[i][k] - row[k]))
                            XCTAssertEqual(g.boxes.xyxy[i][k], row[k], accuracy: 0.05, "\(label) row \(i): box")
                        }
                        if tracked { XCTAssertEqual(g.boxes.id?[i], Int(row[4]), "\(label) row \(i): id") }
                        XCTAssertEqual(g.boxes.conf[i], row[row.count - 2], accuracy: 1e-3, "\(label) row \(i): conf")
                        XCTAssertEqual(g.boxes.cls[i], Int(row[row.count - 1]), "\(label) row \(i): cls")
                        for (p, q) in zip(g.keypoints!.data[i], w.keypoints[i]) {
                            worstKpt = max(worstKpt, abs(p[0] - q[0]), abs(p[1] - q[1]))
                            XCTAssertEqual(p[0], q[0], accuracy: 0.05, "\(label) row \(i): keypoint x")
                            XCTAssertEqual(p[1], q[1], accuracy: 0.05, "\(label) row \(i): keypoint y")
                        }
                        rows += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(rows, 100)
        print("TrackTests: \(rows) rows, max box diff \(worstBox) px, max keypoint diff \(worstKpt) px")
    }

    /// A one-frame clip gives the reference's first frame (every track is confirmed on frame 1); a clip without
    /// people gives empty frames; both run every tracker without error.
    func testOneFrameAndEmptyClips() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let one = work.appendingPathComponent("one.avi")
        try TrackClips.write([try TrackClips.frames("shifted")[0]], to: one)
        let empty = work.appendingPathComponent("empty.avi")
        try TrackClips.write(Array(repeating: Image(width: 320, height: 240, repeating: 114), count: 5), to: empty)
        let model = try YOLO(Self.model)
        for tracker in ["bytetrack.yaml", "botsort.yaml", "tracktrack.yaml"] {
            let r = try model.track(one.path, tracker: tracker)
            let want = try TrackClips.reference("shifted", tracker: tracker)[0]
            XCTAssertEqual(r.count, 1)
            XCTAssertEqual(r[0].boxes.id ?? [], want.boxes.map { Int($0[4]) }, tracker)
            let e = try model.track(empty.path, tracker: tracker)
            XCTAssertEqual(e.map(\.count), [0, 0, 0, 0, 0], tracker)
        }
    }

    /// Ids restart for every new path without `persist` (each image of a folder is frame 1). With `persist`, two
    /// calls on the two halves of a clip continue one tracker: the second half's ids equal the reference's run over
    /// the whole clip; without it the second half starts again at id 1.
    func testPersistAcrossCalls() throws {
        let model = try YOLO(Self.model)
        let folder = Fixtures.coco8Pose.appendingPathComponent("images/val").path
        for r in try model.track(folder, tracker: "bytetrack.yaml") where r.count > 0 {
            XCTAssertEqual(r.boxes.id, Array(1...r.count), r.path)
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let frames = try TrackClips.frames("shifted")
        let first = work.appendingPathComponent("first.avi"), second = work.appendingPathComponent("second.avi")
        try TrackClips.write(Array(frames[..<10]), to: first)
        try TrackClips.write(Array(frames[10...]), to: second)
        let want = try TrackClips.reference("shifted", tracker: "bytetrack.yaml")
        _ = try model.track(first.path, persist: true, tracker: "bytetrack.yaml")
        let cont = try model.track(second.path, persist: true, tracker: "bytetrack.yaml")
        XCTAssertEqual(cont.map { $0.boxes.id ?? [] }, want[10...].map { $0.boxes.map { Int($0[4]) } })
        let restarted = try model.track(second.path, tracker: "bytetrack.yaml")
        XCTAssertEqual(restarted[0].boxes.id, Array(1...restarted[0].count))
        // Annotations name the track as the reference's do: "id:1 person 0.87".
        let conf = String(format: "%.2f", Double(restarted[0].boxes.conf[0]))
        XCTAssertEqual(restarted[0].labelText(0), "id:1 person \(conf)")
        XCTAssertEqual(restarted[0].labelText(0, showLabels: false), conf)
        XCTAssertEqual(restarted[0].summary()[0]["track_id"] as? Int, 1)
        XCTAssertTrue(restarted[0].txtLines()[0].hasSuffix(" 1"))
    }

    func testTrackerYAMLErrors() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let bad = work.appendingPathComponent("bad.yaml")
        try "tracker_type: bytetrack\ntrack_high_thresh: [0.5\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrackingSession(tracker: bad.path)) { e in
            XCTAssertTrue("\(e.localizedDescription)".contains("malformed YAML"), "\(e)")
        }
        let partial = work.appendingPathComponent("partial.yaml")
        try "tracker_type: bytetrack\ntrack_high_thresh: 0.5\n".write(to: partial, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrackingSession(tracker: partial.path)) { e in
            XCTAssertEqual(e.localizedDescription, "tracker \(partial.path): the key 'track_low_thresh' is missing")
        }
        XCTAssertThrowsError(try TrackingSession(tracker: "ocsort.yaml")) { e in
            XCTAssertTrue(e.localizedDescription.contains("tracker_type 'ocsort' is not in this build yet"), e.localizedDescription)
        }
        XCTAssertThrowsError(try TrackingSession(tracker: work.path)) { e in
            XCTAssertEqual(e.localizedDescription, "tracker \(work.path): is a folder, not a tracker YAML")
        }
        XCTAssertThrowsError(try TrackingSession(tracker: "nope.yaml")) { e in
            XCTAssertTrue(e.localizedDescription.contains("'nope.yaml' does not exist"), e.localizedDescription)
        }
        let orb = work.appendingPathComponent("orb.yaml")
        try "tracker_type: botsort\ntrack_high_thresh: 0.5\ntrack_low_thresh: 0.1\nnew_track_thresh: 0.6\ntrack_buffer: 30\nmatch_thresh: 0.8\nfuse_score: True\ngmc_method: orb\nproximity_thresh: 0.5\nappearance_thresh: 0.8\nwith_reid: False\nextra_key: 1\n"
            .write(to: orb, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrackingSession(tracker: orb.path)) { e in
            XCTAssertTrue(e.localizedDescription.contains("orb"), e.localizedDescription)
        }
    }
}
