import Foundation
import YOLOData

/// One value of a summary record, kept in the reference's key order for `toJSON()` and `toCSV()`.
public indirect enum SummaryValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case number(Double)
    case numbers([Double])
    case record([Field])

    public struct Field: Sendable, Equatable {
        public let key: String
        public let value: SummaryValue
    }

    /// Compact JSON (Python's float repr, keys in order).
    var json: String {
        switch self {
        case .string(let s): return pythonJSONString(s)
        case .int(let i): return String(i)
        case .number(let d): return Self.repr(d)
        case .numbers(let a): return "[" + a.map(Self.repr).joined(separator: ",") + "]"
        case .record(let f): return "{" + f.map { pythonJSONString($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    /// Python's `str()` of the value (`repr` inside containers), as the reference's CSV writes nested columns.
    var pythonString: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .number(let d): return Self.repr(d)
        case .numbers(let a): return "[" + a.map(Self.repr).joined(separator: ", ") + "]"
        case .record(let f):
            return "{" + f.map { "'\($0.key)': " + ($0.value.isString ? "'\($0.value.pythonString)'" : $0.value.pythonString) }
                .joined(separator: ", ") + "}"
        }
    }

    var isString: Bool { if case .string = self { return true }; return false }

    /// The value as Foundation objects (`summary()`'s dictionaries).
    var anyValue: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .number(let d): return d
        case .numbers(let a): return a
        case .record(let f): return Dictionary(f.map { ($0.key, $0.value.anyValue) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Python's float repr ("5.10196", "0.0", "1e-05").
    static func repr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        var s = "\(d)"
        if !s.contains(".") && !s.contains("e") { s += ".0" }
        return s
    }
}

public enum ResultsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `plot()`/`save(to:)` on results that do not hold their image.
    case noImage(path: String)

    public var description: String {
        switch self {
        case .noImage(let p): return "results of \(p) hold no image to plot (use plot(on:) with the original image)"
        }
    }
    public var errorDescription: String? { description }
}

extension Results {
    /// `summary` as ordered records: name, class, confidence, box, track_id (tracking), keypoints.
    public func records(normalize: Bool = false, decimals: Int = 5) -> [[SummaryValue.Field]] {
        let scale = pow(10, Double(decimals))
        func r(_ v: Float) -> Double { (Double(v) * scale).rounded(.toNearestOrEven) / scale }
        let w: Float = normalize ? Float(origShape.width) : 1, h: Float = normalize ? Float(origShape.height) : 1
        typealias F = SummaryValue.Field
        return (0..<count).map { i in
            let b = boxes.xyxy[i]
            var fields = [F(key: "name", value: .string(names[boxes.cls[i]] ?? String(boxes.cls[i]))),
                          F(key: "class", value: .int(boxes.cls[i])),
                          F(key: "confidence", value: .number(r(boxes.conf[i]))),
                          F(key: "box", value: .record([F(key: "x1", value: .number(r(b[0] / w))), F(key: "y1", value: .number(r(b[1] / h))),
                                                        F(key: "x2", value: .number(r(b[2] / w))), F(key: "y2", value: .number(r(b[3] / h)))]))]
            if let ids = boxes.id { fields.append(F(key: "track_id", value: .int(ids[i]))) }
            if let kp = keypoints {
                var k = [F(key: "x", value: .numbers(kp.data[i].map { r($0[0] / w) })),
                         F(key: "y", value: .numbers(kp.data[i].map { r($0[1] / h) }))]
                if kp.dims == 3 { k.append(F(key: "visible", value: .numbers(kp.data[i].map { r($0[2]) }))) }
                fields.append(F(key: "keypoints", value: .record(k)))
            }
            return fields
        }
    }

    /// Compact JSON array of the summary records in the reference's key order, as `Results.to_json()`.
    public func toJSON(normalize: Bool = false, decimals: Int = 5) -> String {
        "[" + records(normalize: normalize, decimals: decimals).map { SummaryValue.record($0).json }.joined(separator: ",") + "]"
    }

    /// CSV of the summary records as `Results.to_csv()` writes it: a header row, nested values as Python dict reprs,
    /// fields with commas or quotes quoted. Empty results give an empty string.
    public func toCSV(normalize: Bool = false, decimals: Int = 5) -> String {
        let rows = records(normalize: normalize, decimals: decimals)
        guard let first = rows.first else { return "" }
        func quote(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = first.map(\.key).joined(separator: ",") + "\n"
        for row in rows { out += row.map { quote($0.value.pythonString) }.joined(separator: ",") + "\n" }
        return out
    }

    /// Draws the results on the image they were predicted on (`Results.plot()`).
    public func plot(lineWidth: Int? = nil, showBoxes: Bool = true, showLabels: Bool = true, showConf: Bool = true) throws -> Image {
        guard let image = origImage else { throw ResultsError.noImage(path: path) }
        return try plot(on: image, lineWidth: lineWidth, showBoxes: showBoxes, showLabels: showLabels, showConf: showConf)
    }

    /// Plots and writes the annotated image (JPEG, or PNG for a `.png` name) to `filename`, by default
    /// `results_<source file name>` in the working folder, as `Results.save()`; returns the path written.
    @discardableResult
    public func save(to filename: String? = nil, lineWidth: Int? = nil, showBoxes: Bool = true, showLabels: Bool = true,
                     showConf: Bool = true) throws -> String {
        let name = filename ?? "results_" + (path as NSString).lastPathComponent
        let url = URL(fileURLWithPath: name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let image = try plot(lineWidth: lineWidth, showBoxes: showBoxes, showLabels: showLabels, showConf: showConf)
        if url.pathExtension.lowercased() == "png" { try ImageIO.writePNG(image, to: url) } else { try ImageIO.writeJPEG(image, to: url) }
        return name
    }
}
