import Foundation
import YOLOData

/// One `predictions.json` record (spec train-and-val §5.6), values already rounded as the reference writes them.
public struct ValJSONRecord: Sendable, Equatable {
    /// The file stem as an integer literal when it is all digits (leading zeros dropped), else the stem string.
    public enum ImageID: Sendable, Equatable {
        case int(String)
        case string(String)
    }
    public var imageID: ImageID
    public var fileName: String
    public var categoryID: Int
    /// [x_left, y_top, w, h] in original pixels, each rounded to 3 decimals.
    public var bbox: [Double]
    /// Confidence rounded to 5 decimals.
    public var score: Double
    /// Flattened [x, y(, s)] per keypoint in original pixels (clipped, float32 values, not rounded).
    public var keypoints: [Double]?

    /// The record as Python's `json.dump` writes it (", " and ": " separators, ASCII escapes, float repr).
    public var pythonJSON: String {
        var s = "{\"image_id\": "
        switch imageID {
        case .int(let digits): s += digits
        case .string(let stem): s += pythonJSONString(stem)
        }
        s += ", \"file_name\": \(pythonJSONString(fileName)), \"category_id\": \(categoryID)"
        s += ", \"bbox\": [\(bbox.map(pythonFloatRepr).joined(separator: ", "))]"
        s += ", \"score\": \(pythonFloatRepr(score))"
        if let keypoints { s += ", \"keypoints\": [\(keypoints.map(pythonFloatRepr).joined(separator: ", "))]" }
        return s + "}"
    }
}

/// Python's `round(x, n)` for a double: correctly rounded decimal, ties to even on the exact binary value.
func pythonRound(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite else { return x }
    return Double(String(format: "%.\(digits)f", x)) ?? x
}

/// Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16.
func pythonFloatRepr(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
    let a = abs(x)
    if a != 0 && (a < 1e-4 || a >= 1e16) {
        // Swift's shortest digits, rewritten as Python's d.ddde±XX.
        let desc = x.description
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mant = desc[..<e]
            let exp = Int(desc[desc.index(after: e)...])!
            var m = String(mant)
            if m.hasSuffix(".0") { m.removeLast(2) }
            return m + "e" + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0\(abs(exp))" : "\(abs(exp))")
        }
        return desc
    }
    var d = x.description
    if !d.contains(".") && !d.contains("e") { d += ".0" }
    return d
}

/// A JSON string as Python's `json.dumps` (ensure_ascii) writes it: quotes, backslashes and control characters
/// escaped, everything outside printable ASCII as `\uXXXX` UTF-16 units.
public func pythonJSONString(_ s: String) -> String {
    var out = "\""
    for u in s.utf16 {
        switch u {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(u)!)
        default: out += String(format: "\\u%04x", u)
        }
    }
    return out + "\""
}

extension Validator {
    /// One image's detections mapped from letterboxed input pixels to the original image with the loader's
    /// ratio_pad, as the reference's scale_boxes / scale_coords with ratio_pad given: subtract the pad (left, top),
    /// divide x by the width gain and y by the height gain (float32), clip to [0, w0] × [0, h0].
    /// Keypoint visibilities are unchanged.
    static func originalResults(_ dets: [Detection], batch: ValBatch, index i: Int, kptShape: [Int]?,
                                names: [Int: String]) -> Results {
        let rp = batch.ratioPads[i]
        let (h0, w0) = batch.origShapes[i]
        return LetterboxMapping(gainX: Float(rp.gain.w), gainY: Float(rp.gain.h), padX: Float(rp.pad.left),
                                padY: Float(rp.pad.top), original: (h0, w0))
            .results(dets, kptShape: kptShape, names: names, path: batch.files[i].path,
                     inputShape: (batch.shape.h, batch.shape.w))
    }

    /// The `predictions.json` records of one image (already in original pixels): category = class + 1 (non-COCO
    /// data), bbox = float32 xyxy → xywh → top-left, rounded to 3 decimals; score rounded to 5.
    static func jsonRecords(_ r: Results, file: URL) -> [ValJSONRecord] {
        let stem = file.deletingPathExtension().lastPathComponent
        let numeric = !stem.isEmpty && stem.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        let imageID: ValJSONRecord.ImageID
        if numeric {
            let trimmed = stem.drop { $0 == "0" }
            imageID = .int(trimmed.isEmpty ? "0" : String(trimmed))
        } else {
            imageID = .string(stem)
        }
        return (0..<r.count).map { i in
            let b = r.boxes.xyxy[i]
            let w = b[2] - b[0], h = b[3] - b[1]
            let cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2
            let xywh = [cx - w / 2, cy - h / 2, w, h].map { pythonRound(Double($0), 3) }
            let kp = r.keypoints.map { k in k.data[i].flatMap { $0.map(Double.init) } }
            return ValJSONRecord(imageID: imageID, fileName: file.lastPathComponent, categoryID: r.boxes.cls[i] + 1,
                                 bbox: xywh, score: pythonRound(Double(r.boxes.conf[i]), 5), keypoints: kp)
        }
    }

    /// Writes the records as the reference's `json.dump(jdict, f)`.
    /// `fragments` are the records' JSON texts, in order.
    static func writeJSON(fragments: [String], to url: URL) throws {
        try Data(("[" + fragments.joined(separator: ", ") + "]").utf8).write(to: url, options: .atomic)
    }
}

/// Collects save_json / save_txt output during a validation run.
final class ValOutputWriter {
    let options: ValOptions
    let saveDir: URL
    let labelRoot: [String]
    var records: [ValJSONRecord] = []

    init?(options: ValOptions, imageFiles: [URL]) throws {
        guard options.saveJSON || options.saveTxt else { return nil }
        guard let dir = options.saveDir else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "save_json/save_txt need ValOptions.saveDir"])
        }
        self.options = options
        self.saveDir = dir
        self.labelRoot = ValOutputWriter.commonDirectory(imageFiles)
        let fm = FileManager.default
        try fm.createDirectory(at: options.saveTxt ? dir.appendingPathComponent("labels") : dir,
                               withIntermediateDirectories: true)
        if options.saveTxt { try removeOldLabels() }
    }

    func add(_ dets: [Detection], batch: ValBatch, index i: Int, kptShape: [Int]?, names: [Int: String]) throws {
        let r = Validator.originalResults(dets, batch: batch, index: i, kptShape: kptShape, names: names)
        if options.saveJSON { records += Validator.jsonRecords(r, file: batch.files[i]) }
        if options.saveTxt { try r.saveTxt(to: labelURL(for: batch.files[i]), saveConf: options.saveConf) }
    }

    /// This run's records as the JSON text of each (what ranks send to rank 0).
    func jsonFragments() -> [String] { options.saveJSON ? records.map(\.pythonJSON) : [] }

    /// Writes predictions.json from the records' JSON texts (only when there are records, as the reference).
    /// Returns its URL when written.
    func finish(fragments: [String]) throws -> URL? {
        guard options.saveJSON, !fragments.isEmpty else { return nil }
        let url = saveDir.appendingPathComponent("predictions.json")
        try Validator.writeJSON(fragments: fragments, to: url)
        return url
    }
}
