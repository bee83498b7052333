import Foundation

/// `results.csv` of a run (spec train-and-val §2.16): a header on first write, then one row per epoch with
/// `%.6g` values, columns `epoch, time`, the train losses, the metrics, the val losses and the group lrs.
public struct ResultsCSV {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Python's `%.6g`.
    static func g6(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return String(format: "%.6g", v)
    }

    /// Appends one row (writing the header first when the file does not exist yet).
    public func append(epoch: Int, time: Double, columns: [(String, Double)]) throws {
        let fm = FileManager.default
        var text = ""
        if !fm.fileExists(atPath: url.path) {
            text = (["epoch", "time"] + columns.map(\.0)).joined(separator: ",") + "\n"
        }
        text += ([String(epoch), Self.g6(time)] + columns.map { Self.g6($0.1) }).joined(separator: ",") + "\n"
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let h = FileHandle(forWritingAtPath: url.path) {
            defer { try? h.close() }
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
        } else {
            try Data(text.utf8).write(to: url)
        }
    }

    /// The file as columns (`{column: values}` in header order), as the reference stores it in checkpoints
    /// (`train_results`). Missing or unreadable files give no columns.
    public func read() -> [(String, [Double])] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first else { return [] }
        return header.enumerated().map { i, name in
            (name, rows.dropFirst().compactMap { $0.count > i ? Double($0[i]) : nil })
        }
    }

    /// Number of data rows (epochs recorded).
    public var rowCount: Int { max(0, (read().first?.1.count) ?? 0) }
}
