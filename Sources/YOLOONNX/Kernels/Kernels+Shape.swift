import Foundation
import YOLOFormats

/// Shape arithmetic and constants: Shape, Size, Constant, ConstantOfShape, Range, Cast (dynamic exports compute their
/// anchor grids with these; they run once per input shape and are cached).
enum ShapeKernels {
    static func shape(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let r = x.rank
        func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
        let start = clamp(ctx.node.int("start", default: 0)), end = clamp(ctx.node.int("end") ?? r)
        let dims = start < end ? x.shape[start..<end].map { Int64($0) } : []
        return [.ints(dims)]
    }

    static func size(_ ctx: KernelContext) throws -> [ONNXValue] {
        [ONNXValue(shape: [], ints: [Int64(try ctx.input(0).count)])]
    }

    static func constant(_ ctx: KernelContext) throws -> [ONNXValue] {
        let n = ctx.node
        if let t = n.tensor("value") { return [t] }
        if let f = n.float("value_float") { return [ONNXValue(shape: [], floats: [f])] }
        if let i = n.int("value_int") { return [ONNXValue(shape: [], ints: [Int64(i)])] }
        if case .floats(let v)? = n.attributes["value_floats"] { return [ONNXValue(shape: [v.count], floats: v)] }
        if let v = n.ints("value_ints") { return [.ints(v.map(Int64.init))] }
        throw kernelError("Constant without a supported value attribute")
    }

    static func constantOfShape(_ ctx: KernelContext) throws -> [ONNXValue] {
        let shape = try ctx.input(0).ints()
        guard shape.allSatisfy({ $0 >= 0 }) else { throw kernelError("negative shape \(shape)") }
        let n = shape.reduce(1, *)
        guard let v = ctx.node.tensor("value") else { return [ONNXValue(shape: shape, floats: [Float](repeating: 0, count: n))] }
        switch v.elementType {
        case .float: return [ONNXValue(shape: shape, floats: [Float](repeating: try v.floatArray()[0], count: n))]
        case .int64: return [ONNXValue(shape: shape, ints: [Int64](repeating: try v.intArray()[0], count: n))]
        case .bool: return [ONNXValue(shape: shape, bools: [Bool](repeating: try v.boolArray()[0], count: n))]
        }
    }

    static func range(_ ctx: KernelContext) throws -> [ONNXValue] {
        let s = try ctx.input(0), l = try ctx.input(1), d = try ctx.input(2)
        let (start, limit, delta) = (try s.scalar(), try l.scalar(), try d.scalar())
        guard delta != 0 else { throw kernelError("Range with delta 0") }
        let n = max(Int(((limit - start) / delta).rounded(.up)), 0)
        if s.elementType == .int64 {
            let (a, k) = (Int64(start), Int64(delta))
            return [.ints((0..<n).map { a + Int64($0) * k })]
        }
        let (a, k) = (Float(start), Float(delta))
        return [ONNXValue(shape: [n], floats: (0..<n).map { a + Float($0) * k })]
    }

    /// Cast between float (FLOAT/DOUBLE; FLOAT16 rounds to half precision but stays in float storage), the integer
    /// types (held as int64; float→int truncates toward zero) and bool.
    static func cast(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        guard let to = ctx.node.int("to") else { throw kernelError("Cast without 'to'") }
        switch to {
        case 1, 11:
            return [x.elementType == .float ? x : ONNXValue(shape: x.shape, floats: try x.floatArray())]
        case 10:
            let v = try x.floatArray().map { HalfConversion.float(fromHalfBits: HalfConversion.halfBits(from: $0)) }
            return [ONNXValue(shape: x.shape, floats: v)]
        case 2, 3, 4, 5, 6, 7, 12, 13:
            if x.elementType == .float {
                return [ONNXValue(shape: x.shape, ints: try x.floatArray().map { $0.isFinite ? Int64($0.rounded(.towardZero)) : 0 })]
            }
            return [ONNXValue(shape: x.shape, ints: try x.intArray())]
        case 9:
            return [ONNXValue(shape: x.shape, bools: try x.boolArray())]
        default:
            throw kernelError("Cast to element type \(to) is not supported")
        }
    }
}
