import Foundation

/// One row of a model definition: `[from, repeats, module, args]`.
public struct LayerSpec: Equatable, Sendable {
    public var from: [Int]
    public var repeats: Int
    public var module: String
    public var args: [ConfigNode]
}

/// A parsed Ultralytics model YAML (`yolov8n-pose.yaml`, a P6 variant or a custom file).
public struct ModelConfig: Sendable {
    public var nc: Int
    public var kptShape: [Int]?
    public var depthMultiple: Double
    public var widthMultiple: Double
    public var maxChannels: Int
    /// The scale letter in use, when the file has a `scales` table.
    public var scale: String?
    public var regMax: Int
    public var channels: Int
    public var layers: [LayerSpec]
    /// The backbone row count (layers before it are the backbone).
    public var backboneCount: Int
    /// Where the definition came from (file name or `yaml_file` of a checkpoint).
    public var source: String
    /// The raw tree, kept so checkpoints written by this project carry it.
    public var raw: ConfigNode

    /// Interprets a parsed YAML tree. `scaleHint` is the letter found in the file name, if any.
    public init(node: ConfigNode, source: String, scaleHint: String? = nil) throws {
        raw = node
        self.source = source
        guard case .map = node else { throw ModelConfigError.invalid(source, "top level is not a mapping") }
        nc = node["nc"]?.int ?? 80
        if let ks = node["kpt_shape"], !ks.isNone {
            guard let l = ks.list, l.count == 2, let k = l[0].int, let d = l[1].int, k > 0, d == 2 || d == 3 else {
                throw ModelConfigError.invalid(source, "kpt_shape must be [K, 2] or [K, 3], got \(ks)")
            }
            kptShape = [k, d]
        }
        regMax = node["reg_max"]?.int ?? 16
        channels = node["channels"]?.int ?? node["ch"]?.int ?? 3
        depthMultiple = node["depth_multiple"]?.double ?? 1
        widthMultiple = node["width_multiple"]?.double ?? 1
        maxChannels = node["max_channels"]?.int ?? Int.max  // unlimited without a scales table
        if case .map(let scales)? = node["scales"], !scales.isEmpty {
            var letter = node["scale"]?.string ?? scaleHint
            if letter == nil || !scales.contains(where: { $0.0 == letter }) {
                if letter != nil || scaleHint == nil {
                    Log.warning("no model scale given for '\(source)', assuming scale='\(scales[0].0)'.")
                }
                letter = scales[0].0
            }
            guard let row = scales.first(where: { $0.0 == letter })?.1.list, row.count == 3,
                  let d = row[0].double, let w = row[1].double, let m = row[2].int else {
                throw ModelConfigError.invalid(source, "scales.\(letter!) must be [depth, width, max_channels]")
            }
            scale = letter
            (depthMultiple, widthMultiple, maxChannels) = (d, w, m)
        }
        guard let backbone = node["backbone"]?.list, let head = node["head"]?.list else {
            throw ModelConfigError.invalid(source, "needs 'backbone' and 'head' lists")
        }
        backboneCount = backbone.count
        layers = try (backbone + head).enumerated().map { i, row in
            guard let r = row.list, r.count == 4, let n = r[1].int, let m = r[2].string else {
                throw ModelConfigError.invalid(source, "layer \(i) must be [from, repeats, module, args], got \(row)")
            }
            let from: [Int]
            if let f = r[0].int { from = [f] } else if let l = r[0].list, l.allSatisfy({ $0.int != nil }) {
                from = l.map { $0.int! }
            } else { throw ModelConfigError.invalid(source, "layer \(i): bad 'from' \(r[0])") }
            return LayerSpec(from: from, repeats: n, module: m, args: r[3].list ?? [r[3]])
        }
    }
}

/// A model definition that cannot be used.
public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case notFound(String)
    case unsupportedModule(String, layer: Int, module: String)

    public var description: String {
        switch self {
        case .invalid(let file, let why): return "\(file): invalid model definition: \(why)"
        case .notFound(let name): return "model definition '\(name)' not found (not a file, and not a built-in yolov8*-pose/yolov8* YAML)"
        case .unsupportedModule(let file, let layer, let module):
            return "\(file): layer \(layer): module '\(module)' is not supported (YOLOv8 modules: Conv, C2f, C2, SPPF, Bottleneck, nn.Upsample, Concat, Detect, Pose)"
        }
    }
}
