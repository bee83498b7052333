import Foundation

/// A tqdm-style progress line on standard error, redrawn in place:
/// `<description>: 50%|█████     | 1/2 [00:01<00:01, 1.02it/s]`.
struct ProgressBar {
    let description: String
    let total: Int
    let start = Date()
    var enabled: Bool

    init(_ description: String, total: Int, enabled: Bool) {
        self.description = description
        self.total = total
        self.enabled = enabled
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded(.down))
        return String(format: "%02d:%02d", t / 60, t % 60)
    }

    /// The line for `done` of `total` steps after `elapsed` seconds.
    static func line(_ description: String, done: Int, total: Int, elapsed: Double, width: Int = 10) -> String {
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int((frac * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        return "\(description): \(Int((frac * 100).rounded(.down)))%|\(bar)| \(done)/\(total) [\(clock(elapsed))<\(clock(remaining)), \(String(format: "%.2f", rate))it/s]"
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let text = "\r" + ProgressBar.line(description, done: done, total: total, elapsed: Date().timeIntervalSince(start))
            + (done == total ? "\n" : "")
        FileHandle.standardError.write(Data(text.utf8))
    }
}
