import Foundation

/// The reference's progress line (Ultralytics 8.4.190's own TQDM), redrawn in place on standard output:
/// `<description>: 50% ━━━━━━────── 1/2 1.3it/s 0.8s<0.8s`, then a newline when closed. Redraws are throttled to
/// 0.1 s except the final one.
public final class ProgressBar {
    public var description: String
    public let total: Int
    public var enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast
    var lastCount = 0
    var closed = false
    /// Where frames go (standard output by default; tests capture them).
    public var write: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }

    public init(_ description: String, total: Int, enabled: Bool = true) {
        self.description = description
        self.total = total
        self.enabled = enabled
    }

    /// Formats seconds as the reference does (`0.8s`, `1:05`, `1:02:03`).
    public static func time(_ s: Double) -> String {
        if s < 59.95 { return String(format: "%.1fs", s) }
        let r = Int(s.rounded(.toNearestOrEven))
        let (h, m, sec) = (r / 3600, (r / 60) % 60, r % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%d:%02d", m, sec)
    }

    /// Formats a rate (`1.3it/s`, `2.5s/it`).
    public static func rate(_ r: Double) -> String {
        guard r > 0 else { return "" }
        if 1 / r > 1 { return String(format: "%.1fs/it", 1 / r) }
        if r >= 1e9 { return String(format: "%.1fGit/s", r / 1e9) }
        if r >= 1e6 { return String(format: "%.1fMit/s", r / 1e6) }
        if r >= 1e3 { return String(format: "%.1fKit/s", r / 1e3) }
        return String(format: "%.1fit/s", r)
    }

    /// The 12-cell bar for `done` of `total`.
    public static func bar(_ done: Int, _ total: Int, width: Int = 12) -> String {
        let frac = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let filled = Int(frac * Double(width))
        var cells = Array(repeating: "━", count: filled) + Array(repeating: "─", count: width - filled)
        if filled < width && frac * Double(width) - Double(filled) > 0.5 { cells[filled] = "╸" }
        return cells.joined()
    }

    /// One frame: description, percent, bar, counts, rate, elapsed and remaining time.
    public static func line(_ description: String, done: Int, total: Int, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var remaining = ""
        if total > 0 && done > 0 && done < total && rate > 0 { remaining = "<" + time(Double(total - done) / rate) }
        let percent = total > 0 ? done * 100 / total : 0
        return "\(description): \(percent)% \(bar(done, total)) \(done)/\(total) \(Self.rate(rate)) \(time(elapsed))\(remaining)"
    }

    /// Shows progress `done` (closing the line when it reaches `total`).
    public func update(_ done: Int) {
        guard enabled, !closed else { return }
        let now = Date()
        let final = done >= total
        guard final || now.timeIntervalSince(lastDraw) >= 0.1 || done == 0 else { return }
        lastDraw = now
        lastCount = done
        write("\r\u{1B}[K" + Self.line(description, done: done, total: total, elapsed: now.timeIntervalSince(start)))
        if final { closed = true; write("\n") }
    }

    /// Redraws the current frame with a new description (the training line's running losses).
    public func setDescription(_ text: String, done: Int) {
        description = text
        lastDraw = .distantPast
        update(done)
    }
}
