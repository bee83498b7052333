import Foundation
import YOLOEngine

/// Deprecated argument names still accepted, mapped onto their replacements with a warning.
public enum CLIDeprecations {
    /// Renamed keys: old name → (new name, value transform).
    static let renamed: [(old: String, new: String, transform: (CLIValue) -> CLIValue)] = [
        ("boxes", "show_boxes", { $0 }),
        ("hide_labels", "show_labels", { .bool(!$0.isTruthy) }),
        ("hide_conf", "show_conf", { .bool(!$0.isTruthy) }),
        ("line_thickness", "line_width", { $0 }),
    ]
    /// Keys that were removed; they are dropped with a warning.
    static let removed = ["label_smoothing", "save_hybrid", "crop_fraction", "keras"]

    /// `'old' is deprecated and will be removed in the future. Use 'new' instead.`
    static func message(_ old: String, _ new: String? = nil) -> String {
        var m = "'\(old)' is deprecated and will be removed in the future."
        if let new { m += " Use '\(new)' instead." }
        return m
    }

    /// Rewrites deprecated keys in place: `end2end` → `nms`, `int8`/`half` → `quantize` (unless `quantize` is
    /// given), `boxes`/`hide_labels`/`hide_conf`/`line_thickness` → their `show_*`/`line_width` forms; removed keys
    /// are dropped.
    ///
    /// - Throws: ``CLIError/invalidType(_:)`` when `end2end` is not a bool.
    public static func apply(to overrides: inout CLIOverrides, warn: (String) -> Void) throws {
        if let end2end = overrides.remove("end2end"), !end2end.isNone {
            guard case .bool(let on) = end2end else { throw CLIError.invalidType("Deprecated 'end2end' must be a bool.") }
            let nms: CLIValue = on ? .bool(false) : (overrides["nms"] == .bool(true) ? .bool(true) : .none)
            overrides["nms"] = nms
            warn(message("end2end=\(end2end)", "nms=\(nms)"))
        }
        let int8 = overrides.remove("int8").flatMap { $0.isNone ? nil : $0 }
        let half = overrides.remove("half").flatMap { $0.isNone ? nil : $0 }
        if int8 != nil || half != nil, !overrides.contains("quantize") {
            func on(_ v: CLIValue?) -> Bool {
                guard let v else { return false }
                return !["none", "false", "0"].contains(v.description.trimmingCharacters(in: .whitespaces).lowercased())
            }
            overrides["quantize"] = on(int8) ? .int(8) : on(half) ? .int(16) : CLIValue.none
            warn(message(int8 != nil ? "int8" : "half", "quantize"))
        }
        for r in renamed {
            guard let v = overrides.remove(r.old) else { continue }
            warn(message(r.old, r.new))
            overrides[r.new] = r.transform(v)
        }
        for key in removed where overrides.contains(key) {
            warn(message(key))
            overrides.remove(key)
        }
    }
}
