import Foundation

extension ModelConfig {
    /// The scale letter Ultralytics reads from a model name: `yolo`, optional `v`, digits, one of `nslmx`.
    public static func scaleLetter(in name: String) -> String? {
        let stem = (name as NSString).lastPathComponent
        guard let r = stem.range(of: #"yolov?\d+([nslmx])"#, options: .regularExpression) else { return nil }
        return String(stem[r].last!)
    }

    /// The unified file name with the scale letter removed: `yolov8n-pose.yaml` → `yolov8-pose.yaml`;
    /// old bare P6 names become `-p6` (`yolov8n6.yaml` → `yolov8-p6.yaml`).
    public static func unifiedName(_ name: String) -> String {
        let file = (name as NSString).lastPathComponent
        let ext = (file as NSString).pathExtension
        var stem = (file as NSString).deletingPathExtension
        func sub(_ pattern: String, _ template: String) -> String {
            let re = try! NSRegularExpression(pattern: pattern)
            return re.stringByReplacingMatches(in: stem, range: NSRange(stem.startIndex..., in: stem), withTemplate: template)
        }
        // Only bare old P6 stems (yolov5n6, yolov8s6, …) are renamed, as in Ultralytics.
        let isOldP6 = stem.range(of: #"^yolov[58][nslmx]6$"#, options: .regularExpression) != nil
        let p6 = isOldP6 ? sub(#"(\d+)([nslmx])6(.+)?$"#, "$1$2-p6$3") : stem
        if p6 != stem {
            Log.warning("model names like '\(stem)' are renamed to '\(p6)'.")
            stem = p6
        }
        stem = sub(#"(\d+)([nslmx])(.+)?$"#, "$1$3")
        return ext.isEmpty ? stem : "\(stem).\(ext)"
    }

    /// Loads a model YAML from a path, or a built-in definition by name (`yolov8s-pose.yaml`).
    public static func load(_ nameOrPath: String) throws -> ModelConfig {
        let fm = FileManager.default
        let hint = scaleLetter(in: nameOrPath)
        if fm.fileExists(atPath: nameOrPath) {
            let text: String
            do { text = try String(contentsOfFile: nameOrPath, encoding: .utf8) } catch {
                throw ModelConfigError.invalid(nameOrPath, "cannot read: \(error.localizedDescription)")
            }
            let node: ConfigNode
            do { node = try ConfigNode.parse(yaml: text) } catch {
                throw ModelConfigError.invalid(nameOrPath, "malformed YAML: \(error)")
            }
            return try ModelConfig(node: node, source: nameOrPath, scaleHint: hint)
        }
        let unified = unifiedName(nameOrPath)
        guard let url = Bundle.module.url(forResource: (unified as NSString).deletingPathExtension,
                                          withExtension: "yaml", subdirectory: "cfg") else {
            throw ModelConfigError.notFound(nameOrPath)
        }
        let node = try ConfigNode.parse(yaml: try String(contentsOf: url, encoding: .utf8))
        return try ModelConfig(node: node, source: (nameOrPath as NSString).lastPathComponent, scaleHint: hint)
    }
}
