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
            guard (0...Self.maxRepeats).contains(n) else {
                throw ModelConfigError.invalid(source, "layer \(i): repeats \(n) is outside 0...\(Self.maxRepeats)")
            }
            return LayerSpec(from: from, repeats: n, module: m, args: r[3].list ?? [r[3]])
        }
        try checkRanges()
    }

    static let maxRepeats = 1_000
    static let maxClasses = 100_000
    static let maxKeypoints = 10_000

    /// Range checks on the head's sizes, made when the network is built: training replaces the YAML's `nc` and
    /// `kpt_shape` with the dataset's first, as the reference does.
    func checkHeadRanges() throws {
        func bad(_ what: String) -> ModelConfigError { .invalid(source, what) }
        guard (1...Self.maxClasses).contains(nc) else { throw bad("nc must be in 1...\(Self.maxClasses), got \(nc)") }
        if let k = kptShape, !(1...Self.maxKeypoints).contains(k[0]) {
            throw bad("kpt_shape must have 1...\(Self.maxKeypoints) keypoints, got \(k[0])")
        }
    }

    /// Range checks on the numbers every layer is derived from, so that a hostile or mistyped YAML (or the YAML
    /// inside a checkpoint) is refused with one line instead of trapping on a conversion or allocating terabytes.
    private func checkRanges() throws {
        func bad(_ what: String) -> ModelConfigError { .invalid(source, what) }
        guard (1...64).contains(regMax) else { throw bad("reg_max must be in 1...64, got \(regMax)") }
        guard (1...1024).contains(channels) else { throw bad("channels must be in 1...1024, got \(channels)") }
        for (name, m) in [("depth_multiple", depthMultiple), ("width_multiple", widthMultiple)] {
            guard m.isFinite, m > 0, m <= 64 else { throw bad("\(name) must be a number in (0, 64], got \(m)") }
        }
        guard maxChannels > 0 else { throw bad("max_channels must be positive, got \(maxChannels)") }
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
