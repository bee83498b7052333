import Foundation
import ONNXProto
import YOLOFormats

extension ONNXGraph {
    /// Decodes the main graph of `model`. `file` names the model in errors.
    init(model: Onnx_ModelProto, file: String) throws {
        guard model.hasGraph, !model.graph.node.isEmpty else { throw ONNXReadError.notYOLO(file: file, reason: "the model has no graph nodes") }
        let g = model.graph
        opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 1
        guard g.sparseInitializer.isEmpty else {
            throw ONNXReadError.unsupportedNode(file: file, op: "graph", node: g.name, reason: "sparse initializers are not supported")
        }
        var inits: [String: ONNXValue] = [:]
        for t in g.initializer { inits[t.name] = try Self.value(t, file: file) }
        initializers = inits
        inputs = g.input.filter { inits[$0.name] == nil }.map(Self.info)
        outputs = g.output.map(Self.info)
        nodes = try g.node.map { n in
            var attrs: [String: ONNXAttribute] = [:]
            for a in n.attribute { attrs[a.name] = try Self.attribute(a, node: n, file: file) }
            return ONNXNode(name: n.name, op: n.opType, domain: n.domain, inputs: n.input, outputs: n.output, attributes: attrs)
        }
    }

    static func info(_ v: Onnx_ValueInfoProto) -> ONNXTensorInfo {
        let t = v.type.tensorType
        let dims = t.shape.dim.map { d -> (Int?, String?) in
            switch d.value {
            case .dimValue(let n)?: return (Int(n), nil)
            case .dimParam(let s)?: return (nil, s)
            case nil: return (nil, nil)
            }
        }
        return ONNXTensorInfo(name: v.name, elementType: Int(t.elemType), dims: dims.map(\.0), symbols: dims.map(\.1))
    }

    static func attribute(_ a: Onnx_AttributeProto, node: Onnx_NodeProto, file: String) throws -> ONNXAttribute {
        switch a.type {
        case .int: return .int(Int(a.i))
        case .float: return .float(a.f)
        case .string: return .string(String(decoding: a.s, as: UTF8.self))
        case .ints: return .ints(a.ints.map { Int(clamping: $0) })
        case .floats: return .floats(a.floats)
        case .strings: return .strings(a.strings.map { String(decoding: $0, as: UTF8.self) })
        case .tensor: return .tensor(try value(a.t, file: file))
        default:
            // Untyped attributes from old writers: infer from the field that is set.
            if a.hasI { return .int(Int(a.i)) }
            if a.hasF { return .float(a.f) }
            if a.hasS { return .string(String(decoding: a.s, as: UTF8.self)) }
            if a.hasT { return .tensor(try value(a.t, file: file)) }
            if !a.ints.isEmpty { return .ints(a.ints.map { Int(clamping: $0) }) }
            if !a.floats.isEmpty { return .floats(a.floats) }
            return .unsupported("\(a.type)")
        }
    }

    /// Decodes a tensor proto (raw little-endian data or the typed repeated fields) into an evaluator value.
    static func value(_ t: Onnx_TensorProto, file: String) throws -> ONNXValue {
        let shape = t.dims.map { Int($0) }
        let count = shape.reduce(1, *)
        func bad(_ why: String) -> ONNXReadError {
            ONNXReadError.unsupportedNode(file: file, op: "tensor", node: t.name, reason: why)
        }
        guard t.dataLocation != .external, t.externalData.isEmpty else {
            throw bad("external tensor data (a separate .data file) is not supported")
        }
        let raw = t.hasRawData ? t.rawData : nil
        func rawValues<T>(_ type: T.Type) throws -> [T] {
            guard let raw else { return [] }
            guard raw.count == count * MemoryLayout<T>.size else {
                throw bad("\(raw.count) bytes of data for shape \(shape)")
            }
            return raw.withUnsafeBytes { b in (0..<count).map { b.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        func checked<T>(_ v: [T]) throws -> [T] {
            guard v.count == count else { throw bad("\(v.count) values for shape \(shape)") }
            return v
        }
        switch t.dataType {
        case 1:  // FLOAT
            return ONNXValue(shape: shape, floats: try checked(raw != nil ? rawValues(Float.self) : t.floatData))
        case 10:  // FLOAT16
            let bits = raw != nil ? try rawValues(UInt16.self) : t.int32Data.map { UInt16(truncatingIfNeeded: $0) }
            return ONNXValue(shape: shape, floats: try checked(bits).map(HalfConversion.float(fromHalfBits:)))
        case 11:  // DOUBLE
            return ONNXValue(shape: shape, floats: try checked(raw != nil ? rawValues(Double.self) : t.doubleData).map { Float($0) })
        case 7:  // INT64
            return ONNXValue(shape: shape, ints: try checked(raw != nil ? rawValues(Int64.self) : t.int64Data))
        case 6:  // INT32
            return ONNXValue(shape: shape, ints: try checked(raw != nil ? rawValues(Int32.self) : t.int32Data).map(Int64.init))
        case 3:  // INT8
            return ONNXValue(shape: shape, ints: try checked(raw != nil ? rawValues(Int8.self).map(Int64.init) : t.int32Data.map(Int64.init)))
        case 2:  // UINT8
            return ONNXValue(shape: shape, ints: try checked(raw != nil ? rawValues(UInt8.self).map(Int64.init) : t.int32Data.map(Int64.init)))
        case 9:  // BOOL
            return ONNXValue(shape: shape, bools: try checked(raw != nil ? rawValues(UInt8.self).map { $0 != 0 } : t.int32Data.map { $0 != 0 }))
        default:
            throw bad("element type \(t.dataType) is not supported (float, float16, double, int8/32/64, uint8 and bool are)")
        }
    }
}
