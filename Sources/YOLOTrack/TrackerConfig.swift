import Foundation
import YOLOData
import YOLOModel

/// A multi-object tracker fed one frame's detections at a time.
public protocol MultiObjectTracker: AnyObject {
    /// Advances one frame; returns the tracks to report for it.
    func update(_ detections: TrackerDetections, image: Image?) -> [TrackedObject]
    /// Forgets every track and restarts ids at 1 (a new video).
    func reset()
    /// Whether a track exists that is not confirmed yet (its frame then reports no detections).
    var hasUnconfirmedTracks: Bool { get }
}

/// Errors reading a tracker YAML (`tracker=`).
public enum TrackerConfigError: Error, Equatable {
    /// The file is neither a path that exists nor one of the reference's built-in tracker names.
    case notFound(String)
    case unreadable(file: String, reason: String)
    /// A key the tracker needs is absent (the reference fails with an AttributeError).
    case missingKey(file: String, key: String)
    case badValue(file: String, key: String, value: String, expected: String)
    /// `tracker_type` is not one the reference knows.
    case unknownType(file: String, type: String)
    /// A tracker type or option the reference has and this build has not.
    case notImplemented(file: String, what: String)
}

/// The settings of a tracker YAML (`botsort.yaml`, `bytetrack.yaml`, `tracktrack.yaml`, or a user's file),
/// with the reference's keys.
public struct TrackerConfig: Sendable {
    public var file: String
    public var trackerType: String
    public var trackHighThresh = 0.25
    public var trackLowThresh = 0.1
    public var newTrackThresh = 0.25
    public var trackBuffer = 30
    public var matchThresh = 0.8
    public var fuseScore = true
    public var gmcMethod: String?
    public var proximityThresh = 0.5
    public var appearanceThresh = 0.8
    public var withReid = false
    // TrackTrack
    public var lostMatchThresh = 0.0
    public var iouWeight = 0.5
    public var reidWeight = 0.5
    public var confWeight = 0.1
    public var angleWeight = 0.05
    public var penaltyP = 0.2
    public var penaltyQ = 0.4
    public var reduceStep = 0.05
    public var taiThresh = 0.55
    public var minTrackLen = 3
    /// Keys the file had that no tracker reads (the reference ignores them; we warn).
    public var unusedKeys: [String] = []

    /// Every tracker type the reference accepts, and the ones this build runs.
    public static let referenceTypes = ["botsort", "bytetrack", "deepocsort", "fasttrack", "ocsort", "tracktrack"]
    public static let implementedTypes = ["botsort", "bytetrack", "tracktrack"]

    /// The reference's built-in tracker files, by name (their values; the YAML files are not shipped).
    static let builtIn: [String: [(String, ConfigNode)]] = [
        "bytetrack.yaml": [("tracker_type", .string("bytetrack"))] + commonDefaults,
        "botsort.yaml": [("tracker_type", .string("botsort"))] + commonDefaults + [
            ("gmc_method", .string("sparseOptFlow")), ("proximity_thresh", .double(0.5)),
            ("appearance_thresh", .double(0.8)), ("with_reid", .bool(false)), ("model", .string("auto")),
        ],
        "tracktrack.yaml": [
            ("tracker_type", .string("tracktrack")), ("track_high_thresh", .double(0.6)), ("track_low_thresh", .double(0.25)),
            ("new_track_thresh", .double(0.7)), ("track_buffer", .int(30)), ("match_thresh", .double(0.7)),
            ("lost_match_thr", .double(0.0)), ("iou_weight", .double(0.5)), ("reid_weight", .double(0.5)),
            ("conf_weight", .double(0.1)), ("angle_weight", .double(0.05)), ("penalty_p", .double(0.2)),
            ("penalty_q", .double(0.4)), ("reduce_step", .double(0.05)), ("tai_thr", .double(0.55)),
            ("min_track_len", .int(3)), ("gmc_method", .string("sparseOptFlow")), ("with_reid", .bool(false)),
            ("model", .string("auto")),
        ],
        "ocsort.yaml": [("tracker_type", .string("ocsort"))],
        "deepocsort.yaml": [("tracker_type", .string("deepocsort"))],
        "fasttrack.yaml": [("tracker_type", .string("fasttrack"))],
    ]
    static let commonDefaults: [(String, ConfigNode)] = [
        ("track_high_thresh", .double(0.25)), ("track_low_thresh", .double(0.1)), ("new_track_thresh", .double(0.25)),
        ("track_buffer", .int(30)), ("match_thresh", .double(0.8)), ("fuse_score", .bool(true)),
    ]

    /// Loads `tracker` as the reference's `check_yaml` finds it: an existing path, else a built-in name.
    public static func load(_ tracker: String) throws -> TrackerConfig {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: tracker, isDirectory: &isDir) {
            guard !isDir.boolValue else { throw TrackerConfigError.unreadable(file: tracker, reason: "is a folder, not a tracker YAML") }
            let text: String
            do { text = try String(contentsOfFile: tracker, encoding: .utf8) } catch {
                throw TrackerConfigError.unreadable(file: tracker, reason: "cannot read it (\(error.localizedDescription))")
            }
            let node: ConfigNode
            do { node = try ConfigNode.parse(yaml: text) } catch {
                throw TrackerConfigError.unreadable(file: tracker, reason: "malformed YAML (\(String(describing: error).split(separator: "\n").first ?? ""))")
            }
            guard case .map(let items) = node else {
                throw TrackerConfigError.unreadable(file: tracker, reason: "expected a mapping of tracker settings")
            }
            return try TrackerConfig(file: tracker, items: items)
        }
        let name = (tracker as NSString).lastPathComponent
        guard let items = builtIn[name], !tracker.contains("/") || name == tracker else {
            throw TrackerConfigError.notFound(tracker)
        }
        return try TrackerConfig(file: name, items: items)
    }

    init(file: String, items: [(String, ConfigNode)]) throws {
        self.file = file
        var map: [String: ConfigNode] = [:]
        for (k, v) in items { map[k] = v }
        guard let type = map["tracker_type"]?.string else { throw TrackerConfigError.missingKey(file: file, key: "tracker_type") }
        guard Self.referenceTypes.contains(type) else { throw TrackerConfigError.unknownType(file: file, type: type) }
        guard Self.implementedTypes.contains(type) else {
            throw TrackerConfigError.notImplemented(file: file, what: "tracker_type '\(type)'")
        }
        trackerType = type
        var used: Set<String> = ["tracker_type"]
        func number(_ key: String, required: Bool, range: ClosedRange<Double>? = nil) throws -> Double? {
            used.insert(key)
            guard let v = map[key] else {
                if required { throw TrackerConfigError.missingKey(file: file, key: key) }
                return nil
            }
            guard let d = v.double, d.isFinite, range.map({ $0.contains(d) }) ?? true else {
                throw TrackerConfigError.badValue(file: file, key: key, value: v.display,
                                                  expected: range.map { "a number in [\($0.lowerBound), \($0.upperBound)]" } ?? "a number")
            }
            return d
        }
        let byteStyle = type != "tracktrack"  // ByteTrack/BoT-SORT read these keys unconditionally
        trackHighThresh = try number("track_high_thresh", required: byteStyle, range: 0...1) ?? 0.6
        trackLowThresh = try number("track_low_thresh", required: byteStyle, range: 0...1) ?? 0.25
        newTrackThresh = try number("new_track_thresh", required: byteStyle, range: 0...1) ?? 0.7
        let buffer = try number("track_buffer", required: true, range: 0...1e9)!
        trackBuffer = Int(buffer)
        matchThresh = try number("match_thresh", required: byteStyle, range: -1e9...1e9) ?? 0.7
        used.insert("fuse_score")
        if type != "tracktrack" {
            guard let f = map["fuse_score"] else { throw TrackerConfigError.missingKey(file: file, key: "fuse_score") }
            fuseScore = f.isTruthy
        }
        if type != "bytetrack" {
            used.formUnion(["gmc_method", "with_reid", "model"])
            gmcMethod = map["gmc_method"].map { $0.isNone ? "none" : ($0.string ?? $0.display) } ?? (type == "botsort" ? nil : "sparseOptFlow")
            if type == "botsort" && gmcMethod == nil { throw TrackerConfigError.missingKey(file: file, key: "gmc_method") }
            withReid = map["with_reid"]?.isTruthy ?? false
            if withReid {
                throw TrackerConfigError.notImplemented(file: file, what: "with_reid: True (ReID appearance features)")
            }
        }
        if type == "botsort" {
            proximityThresh = try number("proximity_thresh", required: true) ?? 0.5
            appearanceThresh = try number("appearance_thresh", required: true) ?? 0.8
        }
        if type == "tracktrack" {
            lostMatchThresh = try number("lost_match_thr", required: false) ?? 0
            iouWeight = try number("iou_weight", required: false) ?? 0.5
            reidWeight = try number("reid_weight", required: false) ?? 0.5
            confWeight = try number("conf_weight", required: false) ?? 0.1
            angleWeight = try number("angle_weight", required: false) ?? 0.05
            penaltyP = try number("penalty_p", required: false) ?? 0.2
            penaltyQ = try number("penalty_q", required: false) ?? 0.4
            reduceStep = try number("reduce_step", required: false) ?? 0.05
            taiThresh = try number("tai_thr", required: false) ?? 0.55
            minTrackLen = Int(try number("min_track_len", required: false, range: -1e9...1e9) ?? 3)
        }
        unusedKeys = items.map(\.0).filter { !used.contains($0) }
    }

    /// A new tracker for this configuration.
    public func makeTracker() throws -> MultiObjectTracker {
        switch trackerType {
        case "tracktrack": return try TrackTrack(config: self)
        default: return try ByteTracker(config: self)
        }
    }
}

extension ConfigNode {
    /// The value as the user wrote it, for messages.
    var display: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(\.display).joined(separator: ", ") + "]"
        case .map: return "{…}"
        }
    }
}
