import Foundation
import YOLOModel
import YOLOTensor

/// The reference's MuSGD (spec train-and-val §2.5), which `optimizer=auto` picks for runs longer than 10 000
/// iterations: conv weights (2-D/4-D parameters) form a "muon" group that takes a Newton–Schulz-orthogonalised
/// Nesterov step with 0.2·lr followed by an SGD step with its own momentum buffer; the other groups take plain
/// Nesterov SGD (zero-initialised buffers). Every group is split in two, the classification branch (`cv3`) with 3× lr.
/// Newton–Schulz runs in emulated bfloat16 (each product and sum rounded to bf16, fp32 accumulation), as torch's
/// bf16 CPU matmuls do; results agree with torch to bf16 rounding, not bit for bit.
public final class MuSGD: Optimizer {
    public let kind = OptimizerKind.muSGD
    public var groups: [ParameterGroup]
    public var state: [Int: ParameterState] = [:]
    /// Which groups take the muon step.
    public let usesMuon: [Bool]
    let muonScale = 0.2, sgdScale = 1.0

    /// Regroups the three standard groups into the reference's eight (weight, bn, bias, muon; each boosted/rest).
    public init(groups base: [ParameterGroup], network: YOLONetwork) throws {
        let boosted = Set(network.head.cv3.allParameters().map { ObjectIdentifier($0.1) })
        var weight = base[0], muon = base[0]
        weight.parameters = base[0].parameters.filter { $0.tensor.rank != 2 && $0.tensor.rank != 4 }
        muon.parameters = base.flatMap(\.parameters).filter { $0.tensor.rank == 2 || $0.tensor.rank == 4 }
        muon.kind = "muon"
        var bn = base[1], bias = base[2]
        bn.parameters = bn.parameters.filter { $0.tensor.rank != 2 && $0.tensor.rank != 4 }
        bias.parameters = bias.parameters.filter { $0.tensor.rank != 2 && $0.tensor.rank != 4 }
        var out: [ParameterGroup] = [], muonFlags: [Bool] = []
        for g in [weight, bn, bias, muon] {
            var hi = g, lo = g
            hi.parameters = g.parameters.filter { boosted.contains(ObjectIdentifier($0.tensor)) }
            lo.parameters = g.parameters.filter { !boosted.contains(ObjectIdentifier($0.tensor)) }
            hi.lr *= 3
            hi.initialLR *= 3
            out += [hi, lo]
            muonFlags += [g.kind == "muon", g.kind == "muon"]
        }
        groups = out
        usesMuon = muonFlags
    }

    public func step() {
        for (gi, index, p) in indexedParameters {
            guard let grad = p.grad else { continue }
            let g = groups[gi]
            var s = state[index] ?? ParameterState(buffers: ["momentum_buffer": Tensor(shape: p.shape, repeating: 0)])
            let mu = Float(g.momentum)
            var lr = g.lr
            let sgdKey: String
            if usesMuon[gi] {
                if s.buffers["momentum_buffer_SGD"] == nil { s.buffers["momentum_buffer_SGD"] = Tensor(shape: p.shape, repeating: 0) }
                let m = s.buffers["momentum_buffer"]!
                let u = Tensor(uninitializedShape: p.shape)
                for i in 0..<p.count {
                    m.pointer[i] = m.pointer[i] * mu + grad.pointer[i] * (1 - mu)
                    u.pointer[i] = m.pointer[i] * mu + grad.pointer[i] * (1 - mu)
                }
                m.markModified()
                let rows = p.shape[0], cols = p.count / max(rows, 1)
                let x = MuSGD.orthogonalize(u.toArray(), rows: rows, cols: cols)
                let d2 = p.shape[p.rank - 2], d1 = p.shape[p.rank - 1]
                let scale = Float(max(1, Double(d2) / Double(d1)).squareRoot())
                let a = Float(lr * muonScale)
                for i in 0..<p.count { p.pointer[i] += -a * (x[i] * scale) }
                lr *= sgdScale
                sgdKey = "momentum_buffer_SGD"
            } else {
                sgdKey = "momentum_buffer"
            }
            let buf = s.buffers[sgdKey]!
            let decay = Float(g.weightDecay), flr = Float(lr)
            for i in 0..<p.count {
                let gi = decay != 0 ? grad.pointer[i] + decay * p.pointer[i] : grad.pointer[i]
                buf.pointer[i] = buf.pointer[i] * mu + gi
                p.pointer[i] += -flr * (gi + mu * buf.pointer[i])
            }
            buf.markModified()
            p.markModified()
            s.step += 1
            state[index] = s
        }
    }

    /// Five quintic Newton–Schulz iterations (3.4445, −4.7750, 2.0315) on the `rows × cols` matrix `g` after
    /// dividing it by its Frobenius norm + 1e-7, on the transpose when rows > cols; bf16 rounding after every op.
    static func orthogonalize(_ g: [Float], rows: Int, cols: Int) -> [Float] {
        let transpose = rows > cols
        let (r, c) = transpose ? (cols, rows) : (rows, cols)
        var x = [Float](repeating: 0, count: r * c)
        for i in 0..<rows { for j in 0..<cols {
            x[transpose ? j * rows + i : i * cols + j] = bf16(g[i * cols + j])
        } }
        var sumSq: Float = 0
        for v in x { sumSq += v * v }
        let norm = bf16(bf16(sumSq.squareRoot()) + 1e-7)
        for i in x.indices { x[i] = bf16(x[i] / norm) }
        let (a, b, cc): (Float, Float, Float) = (3.4445, -4.7750, 2.0315)
        var A = [Float](repeating: 0, count: r * r), AA = A, B = A, BX = x
        for _ in 0..<5 {
            x.withUnsafeBufferPointer { px in
                A.withUnsafeMutableBufferPointer { pa in
                    Tensor.gemm(false, true, r, r, c, px.baseAddress!, c, px.baseAddress!, c, pa.baseAddress!, r)
                }
            }
            for i in A.indices { A[i] = bf16(A[i]) }
            A.withUnsafeBufferPointer { pa in
                AA.withUnsafeMutableBufferPointer { paa in
                    Tensor.gemm(false, false, r, r, r, pa.baseAddress!, r, pa.baseAddress!, r, paa.baseAddress!, r)
                }
            }
            for i in B.indices { B[i] = bf16(b * A[i] + cc * bf16(AA[i])) }
            B.withUnsafeBufferPointer { pb in
                x.withUnsafeBufferPointer { px in
                    BX.withUnsafeMutableBufferPointer { pbx in
                        Tensor.gemm(false, false, r, c, r, pb.baseAddress!, r, px.baseAddress!, c, pbx.baseAddress!, c)
                    }
                }
            }
            for i in x.indices { x[i] = bf16(a * x[i] + bf16(BX[i])) }
        }
        guard transpose else { return x }
        var out = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = x[j * rows + i] } }
        return out
    }

    /// Rounds a float to the nearest bfloat16 (ties to even), returned as a float.
    static func bf16(_ v: Float) -> Float {
        guard v.isFinite else { return v }
        let bits = v.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }
}
