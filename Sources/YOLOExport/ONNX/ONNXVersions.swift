/// Opset and IR version rules of the ONNX path (spec export.md §4.1).
public enum ONNXVersions {
    /// The reference's automatic opset (torch ≥ 2.4 with onnx 1.23).
    public static let defaultOpset = 18
    /// Lowest opset for a plain export (nearest Upsample) and with embedded NMS.
    public static let minimumOpset = 9
    public static let minimumOpsetWithNMS = 11
    /// Highest opset this writer emits (the reference's onnx 1.23 knows 25; ONNX Runtime 1.31 runs it).
    public static let maximumOpset = 25

    /// The IR version ONNX pairs with an opset, capped at 10 as the reference does for ONNX Runtime.
    public static func irVersion(forOpset opset: Int) -> Int {
        let table: [(Int, Int)] = [(8, 3), (9, 4), (10, 5), (11, 6), (14, 7), (18, 8), (20, 9), (22, 10), (24, 11), (25, 12)]
        let ir = table.first { opset <= $0.0 }?.1 ?? 12
        return min(ir, 10)
    }
}

extension GraphDType {
    /// `TensorProto.DataType` code.
    public var onnxCode: Int32 {
        switch self {
        case .float32: return 1
        case .uint8: return 2
        case .int8: return 3
        case .int32: return 6
        case .int64: return 7
        case .bool: return 9
        case .float16: return 10
        }
    }

    /// The type for an ONNX `TensorProto.DataType` code.
    public init?(onnxCode: Int32) {
        guard let t = GraphDType.allCases.first(where: { $0.onnxCode == onnxCode }) else { return nil }
        self = t
    }
}
