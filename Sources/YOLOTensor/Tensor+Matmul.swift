import CKernels

extension Tensor {
    /// Matrix product of `[M, K]` and `[K, N]` tensors via oneDNN's sgemm.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: \(shape) × \(other.shape)")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        let y = Tensor(uninitializedShape: [m, n])
        Tensor.gemm(false, false, m, n, k, pointer, k, other.pointer, n, y.pointer, n)
        return y.recording("matmul", [self, other]) { [self] g in
            let da = Tensor(uninitializedShape: [m, k]), db = Tensor(uninitializedShape: [k, n])
            Tensor.gemm(false, true, m, k, n, g.pointer, n, other.pointer, n, da.pointer, k)
            Tensor.gemm(true, false, k, n, m, pointer, k, g.pointer, n, db.pointer, n)
            return [da, db]
        }
    }

    /// `C = op(A)·op(B)` on row-major buffers via oneDNN's sgemm (`ta`/`tb` transpose A/B).
    public static func gemm(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                     _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        let rc = yk_sgemm(CChar(UInt8(ascii: ta ? "T" : "N")), CChar(UInt8(ascii: tb ? "T" : "N")),
                          Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb), 0, c, Int64(ldc))
        precondition(rc == 0, "matmul: dnnl_sgemm failed for \(m)×\(k) · \(k)×\(n)")
    }
}
