import YOLOTensor

/// Runs `body` with `ConvLayoutPolicy.current` set to `policy` (e.g. `.blocked`, where our Winograd and 1×1 kernels run
/// on every CPU), restoring the previous policy afterwards.
public func withConvLayout<T>(_ policy: ConvLayoutPolicy, _ body: () throws -> T) rethrows -> T {
    let saved = ConvLayoutPolicy.current
    defer { ConvLayoutPolicy.current = saved }
    ConvLayoutPolicy.current = policy
    return try body()
}

/// The input sides `[H, W]` of the primitives among `kernels` that our own kernels (Winograd, 1×1 in float32 or bf16)
/// serve.
public func ownKernelInputSides(_ kernels: [ConvKernel]) -> Set<[Int]> {
    Set(kernels.filter { $0.isWinograd || $0.isConv1x1 || $0.isConv1x1BF16 }.map { [$0.geometry.height, $0.geometry.width] })
}
