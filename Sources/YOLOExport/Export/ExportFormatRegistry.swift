import Foundation

/// The writers this build has, by format name. Formats without a writer fail with
/// `ExportError.formatNotImplemented` right after argument validation.
public enum ExportFormatRegistry {
    /// Writers compiled into YOLOExport. Add new formats here.
    static let builtIn: [any ExportFormatWriter] = [
        ONNXFormatWriter(),
        TorchScriptFormatWriter(),
        OpenVINOFormatWriter(),
        NCNNFormatWriter(),
    ]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var extra: [String: any ExportFormatWriter] = [:]

    /// Registers (or replaces) a writer at run time, e.g. from another module.
    public static func register(_ writer: any ExportFormatWriter) {
        lock.lock()
        defer { lock.unlock() }
        extra[writer.format] = writer
    }

    /// The writer for `format`, if this build has one.
    public static func writer(for format: String) -> (any ExportFormatWriter)? {
        lock.lock()
        defer { lock.unlock() }
        return extra[format] ?? builtIn.first { $0.format == format }
    }

    /// Names of the formats this build can write, in the reference's order.
    public static var implementedFormats: [String] {
        ExportFormat.all.map(\.name).filter { writer(for: $0) != nil }
    }
}
