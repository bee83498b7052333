import Foundation
import ONNXProto
import SwiftProtobuf

/// Turns an `ExportGraph` (already legalized for `opset`) into an ONNX `ModelProto`: one graph, the default
/// domain at `opset`, initializers as little-endian `raw_data`, attributes sorted by name, `value_info` for every
/// inferred intermediate (when `includeValueInfo`), and metadata properties.
public struct ONNXModelBuilder {
    public var opset: Int
    public var producerName = "yolo-swift"
    public var producerVersion = ExportMetadata.ultralyticsVersion
    /// Write `value_info` shape annotations (as onnxslim does with `simplify=True`).
    public var includeValueInfo = true

    public init(opset: Int) { self.opset = opset }

    /// The model proto.
    /// - Throws: `ExportError.unsupportedOp` for a node outside the default domain.
    public func model(_ graph: ExportGraph, metadata: [(key: String, value: String)]) throws -> Onnx_ModelProto {
        var m = Onnx_ModelProto()
        m.irVersion = Int64(ONNXVersions.irVersion(forOpset: opset))
        var op = Onnx_OperatorSetIdProto()
        op.domain = ""
        op.version = Int64(opset)
        m.opsetImport = [op]
        m.producerName = producerName
        m.producerVersion = producerVersion
        m.graph = try graphProto(graph)
        m.metadataProps = metadata.map { kv in
            var e = Onnx_StringStringEntryProto()
            e.key = kv.key
            e.value = kv.value
            return e
        }
        return m
    }

    /// The graph proto.
    public func graphProto(_ graph: ExportGraph) throws -> Onnx_GraphProto {
        var g = Onnx_GraphProto()
        g.name = graph.name
        g.input = graph.inputs.map(Self.valueInfo)
        g.output = graph.outputs.map(Self.valueInfo)
        g.initializer = graph.constants.map(Self.tensor)
        g.node = try graph.nodes.map { n in
            guard n.domain.isEmpty else { throw ExportError.unsupportedOp(format: "ONNX", op: "\(n.domain).\(n.op)", node: n.name) }
            var p = Onnx_NodeProto()
            p.name = n.name
            p.opType = n.op
            p.input = n.inputs
            p.output = n.outputs
            p.attribute = n.attributes.keys.sorted().map { Self.attribute($0, n.attributes[$0]!) }
            return p
        }
        if includeValueInfo {
            let outputs = Set(graph.outputs.map(\.name))
            // In node order, as onnxslim lists them.
            g.valueInfo = graph.nodes.flatMap(\.outputs).compactMap { name in
                guard !outputs.contains(name), let v = graph.valueInfo[name], v.shape != nil else { return nil }
                return Self.valueInfo(v)
            }
        }
        return g
    }

    static func valueInfo(_ v: GraphValueInfo) -> Onnx_ValueInfoProto {
        var p = Onnx_ValueInfoProto()
        p.name = v.name
        var t = Onnx_TypeProto.Tensor()
        t.elemType = v.dtype.onnxCode
        if let shape = v.shape {
            var s = Onnx_TensorShapeProto()
            s.dim = shape.map { d in
                var dim = Onnx_TensorShapeProto.Dimension()
                switch d {
                case .fixed(let n): dim.dimValue = Int64(n)
                case .symbolic(let name): dim.dimParam = name
                }
                return dim
            }
            t.shape = s
        }
        var type = Onnx_TypeProto()
        type.tensorType = t
        p.type = type
        return p
    }

    static func tensor(_ c: GraphConstant) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = c.name
        t.dims = c.shape.map(Int64.init)
        t.dataType = c.dtype.onnxCode
        t.rawData = Data(c.littleEndianBytes)
        return t
    }

    static func attribute(_ name: String, _ value: GraphAttribute) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        switch value {
        case .int(let v): a.type = .int; a.i = Int64(v)
        case .float(let v): a.type = .float; a.f = v
        case .string(let v): a.type = .string; a.s = Data(v.utf8)
        case .ints(let v): a.type = .ints; a.ints = v.map(Int64.init)
        case .floats(let v): a.type = .floats; a.floats = v
        case .strings(let v): a.type = .strings; a.strings = v.map { Data($0.utf8) }
        case .dtype(let t): a.type = .int; a.i = Int64(t.onnxCode)
        case .tensor(let c): a.type = .tensor; a.t = tensor(c)
        }
        return a
    }
}
