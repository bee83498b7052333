/// The export arguments (spec export.md §1.2), with the exporter's defaults. Nil means "not given" (Python `None`).
public struct ExportArguments: Sendable, Equatable {
    /// `format=` as given (resolved by `ExportFormatResolution`).
    public var format: String = "torchscript"
    /// `[size]` or `[h, w]`; nil uses the checkpoint's training imgsz (640 for a YAML-built model).
    public var imgsz: [Int]?
    public var batch: Int = 1
    /// `device=`; only CPU export exists here.
    public var device: String?
    /// Calibration data (INT8 only).
    public var data: String?
    public var dynamic = false
    public var simplify = true
    public var opset: Int?
    public var quantize: ExportQuantize?
    /// Embedded NMS; nil is "not set" (as False for v8).
    public var nms: Bool?
    /// NMS confidence (nil → 0.25 when `nms`).
    public var conf: Double?
    public var iou: Double = 0.7
    public var maxDet: Int = 300
    public var agnosticNMS = false
    public var workspace: Double?
    public var fraction: Double = 1.0
    public var optimize = false
    /// Target chip (rknn/qnn/hailo/ascend/xilinx).
    public var name: String?

    public init(format: String = "torchscript") { self.format = format }

    /// Whether the checked argument `key` differs from the exporter's default (the allow-list check).
    func differsFromDefault(_ key: String) -> Bool {
        switch key {
        case "batch": return batch != 1
        case "data": return data != nil
        case "dynamic": return dynamic
        case "fraction": return fraction != 1.0
        case "opset": return opset != nil
        case "optimize": return optimize
        case "simplify": return !simplify
        case "workspace": return workspace != nil
        default: return false
        }
    }

    /// The value of `key` as the metadata's `args` dict records it.
    func metadataValue(_ key: String) -> MetadataValue {
        func opt<T>(_ v: T?, _ f: (T) -> MetadataValue) -> MetadataValue { v.map(f) ?? .none }
        switch key {
        case "batch": return .int(batch)
        case "data": return opt(data) { .string($0) }
        case "dynamic": return .bool(dynamic)
        case "fraction": return .float(fraction)
        case "opset": return opt(opset) { .int($0) }
        case "optimize": return .bool(optimize)
        case "simplify": return .bool(simplify)
        case "workspace": return opt(workspace) { .float($0) }
        case "quantize": return opt(quantize) { $0.metadataValue }
        case "nms": return opt(nms) { .bool($0) }
        case "conf": return opt(conf) { .float($0) }
        case "iou": return .float(iou)
        case "name": return opt(name) { .string($0) }
        default: return .none
        }
    }
}
