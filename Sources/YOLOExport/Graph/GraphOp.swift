/// The operator vocabulary of `ExportGraph`: ONNX op types with their opset-18 semantics (numpy broadcasting for
/// the binary ops). A format writer needs to translate only the ops the lowering emits; they are all listed here
/// with their inputs (→ outputs) and attributes as the lowering uses them.
public enum GraphOp {
    // Network body
    /// X, W[, B] → Y. Attributes `dilations`, `group`, `kernel_shape`, `pads` [top, left, bottom, right], `strides`.
    public static let conv = "Conv"
    public static let sigmoid = "Sigmoid"
    public static let mul = "Mul"
    public static let add = "Add"
    public static let sub = "Sub"
    public static let div = "Div"
    /// Inputs… → Y along attribute `axis`.
    public static let concat = "Concat"
    /// X, split (int64 sizes) → Y0, Y1, … along attribute `axis`.
    public static let split = "Split"
    /// X → Y. Attributes `ceil_mode`, `dilations`, `kernel_shape`, `pads`, `strides`.
    public static let maxPool = "MaxPool"
    /// X, roi (`""`), scales (float32 [N, C, sh, sw]) → Y. Attributes `mode` `nearest`,
    /// `coordinate_transformation_mode` `asymmetric`, `nearest_mode` `floor`, `cubic_coeff_a` −0.75.
    public static let resize = "Resize"
    /// data, shape (int64; 0 copies the input dim, −1 is inferred) → reshaped. Attribute `allowzero` 0.
    public static let reshape = "Reshape"
    /// X → Y with attribute `perm`.
    public static let transpose = "Transpose"
    /// X → Y along attribute `axis`.
    public static let softmax = "Softmax"
    /// data, starts, ends, axes[, steps] (int64) → Y.
    public static let slice = "Slice"

    // Shape arithmetic (dynamic exports, NMS)
    /// X → int64 [rank].
    public static let shape = "Shape"
    /// data, indices (int64) → Y along attribute `axis`.
    public static let gather = "Gather"
    /// start, limit, delta (scalars) → 1-D.
    public static let range = "Range"
    /// X → Y with attribute `to` (`.dtype`).
    public static let cast = "Cast"
    /// X, shape (int64) → broadcast Y.
    public static let expand = "Expand"
    /// shape (int64) → Y filled with attribute `value` (`.tensor`, one element).
    public static let constantOfShape = "ConstantOfShape"
    /// data, axes (int64) → Y.
    public static let unsqueeze = "Unsqueeze"
    /// data[, axes (int64)] → Y.
    public static let squeeze = "Squeeze"
    public static let identity = "Identity"

    // Embedded NMS (`nms=True`)
    /// data, axes (int64) → reduced. Attribute `keepdims`.
    public static let reduceMax = "ReduceMax"
    /// data → int64 indices. Attributes `axis`, `keepdims`.
    public static let argMax = "ArgMax"
    /// A, B → bool.
    public static let greater = "Greater"
    /// X → int64 [rank, n] coordinates of non-zero elements.
    public static let nonZero = "NonZero"
    /// boxes [B, n, 4], scores [B, C, n], max_output_boxes_per_class (int64 [1]), iou_threshold (float [1])
    /// → selected [k, 3] (batch, class, box index) in descending score order. Attribute `center_point_box` 0.
    public static let nonMaxSuppression = "NonMaxSuppression"
    /// data, pads (int64 [2·rank]), constant_value → padded. Attribute `mode` `constant`.
    public static let pad = "Pad"
    /// A, B → Y (numpy broadcasting), elementwise minimum.
    public static let min = "Min"
    /// A, B → Y, elementwise maximum.
    public static let max = "Max"

    /// Domain of ops that are not ONNX ops. Only emitted when a lowering option asks for them.
    public static let extensionDomain = "ai.yolo.export"
    /// X → X·sigmoid(X) (SiLU/Swish) as one node in `extensionDomain`; emitted instead of Sigmoid+Mul when
    /// `LoweringOptions.fusedSiLU` is set (ncnn `Swish`, OpenVINO `Swish`). The ONNX writer rejects it.
    public static let silu = "SiLU"
}
