import Foundation

/// C `%g` formatting (6 significant digits), as Python's `"%g" % x` on the float value.
func formatG(_ v: Float) -> String { String(format: "%g", Double(v)) }

extension Results {
    /// The lines Ultralytics writes with `save_txt`: `cls xc yc w h` (normalized), then each keypoint's
    /// normalized x, y (and visibility when D = 3), then the confidence when `saveConf`.
    public func txtLines(saveConf: Bool = false) -> [String] {
        let xywhn = boxes.xywhn
        let kxyn = keypoints?.xyn
        return (0..<count).map { i in
            var fields = [String(boxes.cls[i])] + (0..<4).map { formatG(xywhn[i][$0]) }
            if let kp = keypoints, let kxyn {
                for (k, p) in kxyn[i].enumerated() {
                    fields += [formatG(p.x), formatG(p.y)]
                    if kp.dims == 3 { fields.append(formatG(kp.data[i][k][2])) }
                }
            }
            if saveConf { fields.append(formatG(boxes.conf[i])) }
            if let ids = boxes.id { fields.append(String(ids[i])) }
            return fields.joined(separator: " ")
        }
    }

    /// Appends `txtLines` to `url` (Ultralytics opens label files in append mode). Writes nothing when empty.
    public func saveTxt(to url: URL, saveConf: Bool = false) throws {
        let lines = txtLines(saveConf: saveConf)
        guard !lines.isEmpty else { return }
        let text = lines.map { $0 + "\n" }.joined()
        if FileManager.default.fileExists(atPath: url.path) {
            let h = try FileHandle(forWritingTo: url)
            defer { try? h.close() }
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
        } else {
            try Data(text.utf8).write(to: url, options: .atomic)
        }
    }

    /// One dictionary per detection, as `Results.summary(normalize:decimals:)` (the `records` as dictionaries).
    public func summary(normalize: Bool = false, decimals: Int = 5) -> [[String: Any]] {
        records(normalize: normalize, decimals: decimals).map { SummaryValue.record($0).anyValue as! [String: Any] }
    }
}
