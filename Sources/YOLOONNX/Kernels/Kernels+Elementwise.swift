import CKernels
import Foundation
import YOLOTensor

/// A float binary operator, specialised into the broadcasting loops.
protocol FloatBinaryOp { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MinOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) } }
enum MaxOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) } }
enum PowOp: FloatBinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { powf(a, b) } }

/// Elementwise kernels: arithmetic with numpy broadcasting (float and int64), comparisons, logic, Where and the
/// unary float functions. Channels-last activations stay channels-last when both operands share the shape or one is
/// a scalar, so SiLU halves and residual adds that were not fused into a convolution need no layout change.
enum ElementwiseKernels {
    static func binary(_ ctx: KernelContext) throws -> [ONNXValue] {
        var acc = try ctx.input(0)
        for i in 1..<ctx.inputs.count { acc = try binary(ctx.node.op, acc, try ctx.input(i)) }
        return [acc]
    }

    static func binary(_ op: String, _ a: ONNXValue, _ b: ONNXValue) throws -> ONNXValue {
        if a.elementType == .float && b.elementType == .float {
            switch op {
            case "Add": return try float(a, b, AddOp.self)
            case "Sub": return try float(a, b, SubOp.self)
            case "Mul": return try float(a, b, MulOp.self)
            case "Div": return try float(a, b, DivOp.self)
            case "Min": return try float(a, b, MinOp.self)
            case "Max": return try float(a, b, MaxOp.self)
            case "Pow": return try float(a, b, PowOp.self)
            default: break
            }
        }
        guard a.elementType != .float && b.elementType != .float else {
            throw kernelError("\(op) of \(a.elementType) and \(b.elementType) tensors")
        }
        let f: (Int64, Int64) -> Int64
        switch op {
        case "Add": f = { $0 &+ $1 }
        case "Sub": f = { $0 &- $1 }
        case "Mul": f = { $0 &* $1 }
        case "Div": f = { $1 == 0 ? 0 : $0 / $1 }
        case "Mod": f = { $1 == 0 ? 0 : (($0 % $1) + $1) % $1 }
        case "Min": f = { Swift.min($0, $1) }
        case "Max": f = { Swift.max($0, $1) }
        default: throw kernelError("\(op) is not defined for integer tensors")
        }
        let (x, y) = (try a.intArray(), try b.intArray())
        let (shape, values) = try broadcastMap(a.shape, b.shape) { f(x[$0], y[$1]) }
        return ONNXValue(shape: shape, ints: values)
    }

    /// Float arithmetic: same-layout channels-last fast path, scalar fast paths, then general broadcasting.
    static func float<Op: FloatBinaryOp>(_ a: ONNXValue, _ b: ONNXValue, _: Op.Type) throws -> ONNXValue {
        guard let shape = Layout.broadcast(a.shape, b.shape) else {
            throw kernelError("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        // A full operand has the output's element order (its padded shape equals the output shape).
        let total = shape.reduce(1, *)
        let aFull = a.count == total, bFull = b.count == total
        let aScalar = a.count == 1 && !aFull, bScalar = b.count == 1 && !bFull
        if (a.isNHWC || b.isNHWC) && shape.count == 4 && (aScalar || a.shape == shape) && (bScalar || b.shape == shape) {
            let x = aScalar ? nil : try a.nhwc()
            let y = bScalar ? nil : try b.nhwc()
            let out = Tensor(uninitializedShape: [shape[0], shape[2], shape[3], shape[1]])
            run(out, x, aScalar ? Float(try a.scalar()) : 0, y, bScalar ? Float(try b.scalar()) : 0, Op.self)
            return ONNXValue(nhwc: out)
        }
        let x = try a.plain(), y = try b.plain()
        let out = Tensor(uninitializedShape: [shape.reduce(1, *)])
        if (aFull || aScalar) && (bFull || bScalar) {
            run(out, aScalar ? nil : x, x.pointer[0], bScalar ? nil : y, y.pointer[0], Op.self)
            return ONNXValue(shape: shape, plain: out)
        }
        let px = x.pointer, py = y.pointer, po = out.pointer
        Layout.forEachBroadcast(shape, Layout.broadcastStrides(a.shape, to: shape), Layout.broadcastStrides(b.shape, to: shape)) {
            po[$0] = Op.apply(px[$1], py[$2])
        }
        return ONNXValue(shape: shape, plain: out)
    }

    /// out[i] = op(x[i] or sx, y[i] or sy) over out's elements.
    private static func run<Op: FloatBinaryOp>(_ out: Tensor, _ x: Tensor?, _ sx: Float, _ y: Tensor?, _ sy: Float,
                                               _: Op.Type) {
        let n = out.count, po = out.pointer
        switch (x, y) {
        case let (x?, y?):
            let px = x.pointer, py = y.pointer
            for i in 0..<n { po[i] = Op.apply(px[i], py[i]) }
        case let (x?, nil):
            let px = x.pointer
            for i in 0..<n { po[i] = Op.apply(px[i], sy) }
        case let (nil, y?):
            let py = y.pointer
            for i in 0..<n { po[i] = Op.apply(sx, py[i]) }
        case (nil, nil):
            for i in 0..<n { po[i] = Op.apply(sx, sy) }
        }
    }

    /// Broadcasts two shapes and maps every output element from its (a, b) source indices.
    static func broadcastMap<T>(_ sa: [Int], _ sb: [Int], _ f: (Int, Int) -> T) throws -> ([Int], [T]) {
        guard let shape = Layout.broadcast(sa, sb) else { throw kernelError("shapes \(sa) and \(sb) do not broadcast") }
        var out: [T] = []
        out.reserveCapacity(shape.reduce(1, *))
        Layout.forEachBroadcast(shape, Layout.broadcastStrides(sa, to: shape), Layout.broadcastStrides(sb, to: shape)) { _, i, j in
            out.append(f(i, j))
        }
        return (shape, out)
    }

    /// Greater, Less, Equal, GreaterOrEqual, LessOrEqual (numbers compared as Double; int64 exactly), And, Or, Xor.
    static func compare(_ ctx: KernelContext) throws -> [ONNXValue] {
        let a = try ctx.input(0), b = try ctx.input(1)
        let op = ctx.node.op
        if ["And", "Or", "Xor"].contains(op) {
            let (x, y) = (try a.boolArray(), try b.boolArray())
            let (shape, v) = try broadcastMap(a.shape, b.shape) { i, j -> Bool in
                op == "And" ? x[i] && y[j] : op == "Or" ? x[i] || y[j] : x[i] != y[j]
            }
            return [ONNXValue(shape: shape, bools: v)]
        }
        let test: (Double, Double) -> Bool
        switch op {
        case "Greater": test = { $0 > $1 }
        case "Less": test = { $0 < $1 }
        case "GreaterOrEqual": test = { $0 >= $1 }
        case "LessOrEqual": test = { $0 <= $1 }
        default: test = { $0 == $1 }
        }
        if a.elementType == .int64 && b.elementType == .int64 {
            let (x, y) = (try a.intArray(), try b.intArray())
            let (shape, v) = try broadcastMap(a.shape, b.shape) { i, j -> Bool in
                op == "Equal" ? x[i] == y[j] : test(Double(x[i]), Double(y[j]))
            }
            return [ONNXValue(shape: shape, bools: v)]
        }
        let x = try a.floatArray(), y = try b.floatArray()
        let (shape, v) = try broadcastMap(a.shape, b.shape) { test(Double(x[$0]), Double(y[$1])) }
        return [ONNXValue(shape: shape, bools: v)]
    }

    /// Where(condition, X, Y) with three-way broadcasting; the result has X's element type.
    static func whereKernel(_ ctx: KernelContext) throws -> [ONNXValue] {
        let c = try ctx.input(0), x = try ctx.input(1), y = try ctx.input(2)
        guard let s1 = Layout.broadcast(c.shape, x.shape), let shape = Layout.broadcast(s1, y.shape) else {
            throw kernelError("shapes \(c.shape), \(x.shape), \(y.shape) do not broadcast")
        }
        let cond = try c.boolArray()
        let sc = Layout.broadcastStrides(c.shape, to: shape)
        var pick: [(Bool, Int, Int)] = []
        pick.reserveCapacity(shape.reduce(1, *))
        Layout.forEachBroadcast(shape, Layout.broadcastStrides(x.shape, to: shape), Layout.broadcastStrides(y.shape, to: shape)) { o, i, j in
            var ci = 0, rem = o
            for d in stride(from: shape.count - 1, through: 0, by: -1) {
                ci += (rem % shape[d]) * sc[d]
                rem /= shape[d]
            }
            pick.append((cond[ci], i, j))
        }
        switch x.elementType {
        case .float:
            let (vx, vy) = (try x.floatArray(), try y.floatArray())
            return [ONNXValue(shape: shape, floats: pick.map { $0.0 ? vx[$0.1] : vy[$0.2] })]
        case .int64:
            let (vx, vy) = (try x.intArray(), try y.intArray())
            return [ONNXValue(shape: shape, ints: pick.map { $0.0 ? vx[$0.1] : vy[$0.2] })]
        case .bool:
            let (vx, vy) = (try x.boolArray(), try y.boolArray())
            return [ONNXValue(shape: shape, bools: pick.map { $0.0 ? vx[$0.1] : vy[$0.2] })]
        }
    }

    /// Unary functions; channels-last inputs stay channels-last.
    static func unary(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let op = ctx.node.op
        if op == "Not" { return [ONNXValue(shape: x.shape, bools: try x.boolArray().map { !$0 })] }
        if x.elementType == .int64 {
            let v = try x.intArray()
            switch op {
            case "Neg": return [ONNXValue(shape: x.shape, ints: v.map { 0 &- $0 })]
            case "Abs": return [ONNXValue(shape: x.shape, ints: v.map { $0 < 0 ? 0 &- $0 : $0 })]
            case "Relu": return [ONNXValue(shape: x.shape, ints: v.map { Swift.max($0, 0) })]
            default: throw kernelError("\(op) of an integer tensor")
            }
        }
        let src = x.isNHWC ? try x.nhwc() : try x.plain()
        let out = Tensor(uninitializedShape: x.isNHWC ? src.shape : [x.count])
        let n = x.count, p = src.pointer, o = out.pointer
        switch op {
        case "Sigmoid": yk_sigmoid(p, o, Int64(n))
        case "Relu": for i in 0..<n { o[i] = Swift.max(p[i], 0) }
        case "Neg": for i in 0..<n { o[i] = -p[i] }
        case "Abs": for i in 0..<n { o[i] = abs(p[i]) }
        case "Exp": for i in 0..<n { o[i] = expf(p[i]) }
        case "Log": for i in 0..<n { o[i] = logf(p[i]) }
        case "Sqrt": for i in 0..<n { o[i] = sqrtf(p[i]) }
        case "Tanh": for i in 0..<n { o[i] = tanhf(p[i]) }
        case "Floor": for i in 0..<n { o[i] = floorf(p[i]) }
        case "Ceil": for i in 0..<n { o[i] = ceilf(p[i]) }
        case "Reciprocal": for i in 0..<n { o[i] = 1 / p[i] }
        case "Round": for i in 0..<n { o[i] = p[i].rounded(.toNearestOrEven) }
        default: throw kernelError("unary op \(op) is not implemented")
        }
        return [x.isNHWC ? ONNXValue(nhwc: out) : ONNXValue(shape: x.shape, plain: out)]
    }

    /// Clip to [min, max] (inputs from opset 11, attributes before; either bound may be absent).
    static func clip(_ ctx: KernelContext) throws -> [ONNXValue] {
        let x = try ctx.input(0)
        let lo = try ctx.optional(1).map { try $0.scalar() } ?? ctx.node.float("min").map(Double.init)
        let hi = try ctx.optional(2).map { try $0.scalar() } ?? ctx.node.float("max").map(Double.init)
        if x.elementType == .int64 {
            let v = try x.intArray().map { i -> Int64 in
                var r = i
                if let lo { r = Swift.max(r, Int64(lo)) }
                if let hi { r = Swift.min(r, Int64(hi)) }
                return r
            }
            return [ONNXValue(shape: x.shape, ints: v)]
        }
        let (l, h) = (Float(lo ?? -.infinity), Float(hi ?? .infinity))
        let src = x.isNHWC ? try x.nhwc() : try x.plain()
        let out = Tensor(uninitializedShape: x.isNHWC ? src.shape : [x.count])
        for i in 0..<x.count { out.pointer[i] = Swift.min(Swift.max(src.pointer[i], l), h) }
        return [x.isNHWC ? ONNXValue(nhwc: out) : ONNXValue(shape: x.shape, plain: out)]
    }
}
