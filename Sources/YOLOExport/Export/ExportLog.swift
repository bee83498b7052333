import Foundation

/// Where the exporter's console lines go (stdout by default, as the reference logs everything to stdout), with the
/// reference's decorations: blue-bold format prefixes, `WARNING ⚠️`, `ERROR ❌`.
public struct ExportLog: Sendable {
    /// Receives one line at a time (no trailing newline).
    public var sink: @Sendable (String) -> Void

    public init(sink: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.sink = sink
    }

    /// A log that drops everything.
    public static let silent = ExportLog { _ in }

    public func info(_ line: String) { sink(line) }
    public func warning(_ message: String) { sink("WARNING ⚠️ \(message)") }
    public func error(_ message: String) { sink("ERROR ❌ \(message)") }

    /// `ESC[34mESC[1m<name>:ESC[0m`, the blue bold prefix of format lines (`ONNX:`, `PyTorch:`).
    public static func prefix(_ name: String) -> String { "\u{1B}[34m\u{1B}[1m\(name):\u{1B}[0m" }
    /// Bold text (`Results saved to …`).
    public static func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
}
