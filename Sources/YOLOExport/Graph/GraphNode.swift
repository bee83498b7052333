/// An attribute value of a node (ONNX attribute kinds).
public enum GraphAttribute: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    /// An element type (ONNX `Cast.to`, `ConstantOfShape` value type).
    case dtype(GraphDType)
    /// A tensor value (ONNX `ConstantOfShape.value`, `Constant.value`).
    case tensor(GraphConstant)

    public var intValue: Int? { if case .int(let v) = self { return v }; return nil }
    public var floatValue: Float? { if case .float(let v) = self { return v }; return nil }
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    public var intsValue: [Int]? { if case .ints(let v) = self { return v }; return nil }
}

/// One operation: `op` (an ONNX op type, see `GraphOp`) reading `inputs` and producing `outputs`.
public struct GraphNode: Sendable, Equatable {
    /// Unique node name (`/model.2/cv1/conv/Conv`).
    public var name: String
    /// Operator type (`Conv`, `Sigmoid`, …).
    public var op: String
    /// Operator domain; `""` is the default ONNX domain.
    public var domain: String
    /// Input tensor names; `""` marks an omitted optional input.
    public var inputs: [String]
    /// Output tensor names.
    public var outputs: [String]
    /// Attributes by name (writers emit them sorted by name).
    public var attributes: [String: GraphAttribute]

    public init(name: String, op: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: GraphAttribute] = [:]) {
        self.name = name
        self.op = op
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The attribute named `name`.
    public subscript(attribute name: String) -> GraphAttribute? {
        get { attributes[name] }
        set { attributes[name] = newValue }
    }

    /// The path part of the name (`/model.22/dfl` for `/model.22/dfl/Softmax`); writers use it to group nodes.
    public var scope: String {
        guard let i = name.lastIndex(of: "/") else { return "" }
        return String(name[..<i])
    }
}
