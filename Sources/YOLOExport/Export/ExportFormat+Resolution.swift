import YOLOEngine

extension ExportFormat {
    /// Resolves a `format=` value as the reference does (spec §1.3): lower-case; aliases (`tensorrt`/`trt` → engine;
    /// `mlmodel`, `mlpackage`, `mlprogram`, `apple`, `ios` → coreml; `huawei`, `cann`, `om` → ascend; `vitis`, `vitisai`,
    /// `versal` → xilinx); `tflite`/`tfjs` → litert with a deprecation warning; otherwise the closest name with
    /// difflib ratio ≥ 0.6, with a warning.
    ///
    /// - Returns: the format and the name as the exporter keeps it (`mlmodel` stays `mlmodel`: legacy output).
    /// - Throws: `ExportError.invalidFormat` when nothing matches.
    public static func resolve(_ raw: String, warn: (String) -> Void) throws -> (format: ExportFormat, requested: String) {
        var name = raw.lowercased()
        var requested: String?
        switch name {
        case "tensorrt", "trt": name = "engine"
        case "mlmodel", "mlpackage", "mlprogram", "apple", "ios":
            requested = name == "mlmodel" ? "mlmodel" : "coreml"
            name = "coreml"
        case "huawei", "cann", "om": name = "ascend"
        case "vitis", "vitisai", "versal": name = "xilinx"
        case "tflite", "tfjs":
            warn("format='\(name)' is deprecated as of 8.4.83 and has been replaced by the unified Google LiteRT format. Exporting format='litert' instead. See https://docs.ultralytics.com/integrations/litert")
            name = "litert"
        default: break
        }
        if let f = named(name) { return (f, requested ?? name) }
        guard let match = SimilarKeys.closeMatches(name, among: all.map(\.name), n: 1, cutoff: 0.6).first,
              let f = named(match) else {
            throw ExportError.invalidFormat(name, alreadyPyTorch: name == "pt")
        }
        warn("Invalid export format='\(name)', updating to format='\(match)'")
        return (f, match)
    }
}
