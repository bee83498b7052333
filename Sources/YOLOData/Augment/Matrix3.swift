import Foundation

/// A 3×3 float32 matrix, row-major, with NumPy's float32 arithmetic: a product entry is
/// a₀b₀ rounded, then fma(a₁, b₁, ·), then fma(a₂, b₂, ·) — what `A @ B` (OpenBLAS sgemm) computes on this machine.
public struct Matrix3: Sendable, Equatable {
    public var m: [Float]

    public init(_ m: [Float]) {
        precondition(m.count == 9, "Matrix3: 9 values")
        self.m = m
    }

    public static let identity = Matrix3([1, 0, 0, 0, 1, 0, 0, 0, 1])

    public subscript(_ r: Int, _ c: Int) -> Float {
        get { m[r * 3 + c] }
        set { m[r * 3 + c] = newValue }
    }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var out = [Float](repeating: 0, count: 9)
        for r in 0..<3 {
            for c in 0..<3 {
                var s = a[r, 0] * b[0, c]
                s = s.addingProduct(a[r, 1], b[1, c])
                s = s.addingProduct(a[r, 2], b[2, c])
                out[r * 3 + c] = s
            }
        }
        return Matrix3(out)
    }

    /// (x, y, 1) · Mᵀ as NumPy's `xy @ M.T` forms it: each row a fused chain; then divided by the third coordinate
    /// when `divide` (the reference divides keypoints always, boxes only with perspective).
    @inline(__always)
    public func apply(x: Float, y: Float, divide: Bool) -> (x: Float, y: Float) {
        func row(_ r: Int) -> Float {
            var s = x * self[r, 0]
            s = s.addingProduct(y, self[r, 1])
            s = s.addingProduct(1, self[r, 2])
            return s
        }
        let px = row(0), py = row(1)
        guard divide else { return (px, py) }
        let w = row(2)
        return (px / w, py / w)
    }

    /// The entries as doubles (what OpenCV receives from a float32 array).
    public var doubles: [Double] { m.map(Double.init) }

    /// True when the last row is (0, 0, 1).
    public var isAffine: Bool { m[6] == 0 && m[7] == 0 && m[8] == 1 }
}
