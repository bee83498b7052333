import CKernels

extension Tensor {
    /// Concatenates NHWC (or any rank) tensors along the last axis.
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concat: no inputs")
        let lead = Array(parts[0].shape.dropLast())
        for p in parts {
            precondition(Array(p.shape.dropLast()) == lead, "concat: shapes \(parts.map(\.shape)) differ before the channel axis")
        }
        let widths = parts.map { $0.shape.last! }
        let total = widths.reduce(0, +)
        let rows = lead.reduce(1, *)
        let y = Tensor(uninitializedShape: lead + [total])
        var off = 0
        for (p, c) in zip(parts, widths) {
            yk_copy_channels(p.pointer, Int64(c), y.pointer, Int64(total), Int64(off), Int64(rows))
            off += c
        }
        return y.recording("concat", parts) { g in
            var o = 0
            return widths.map { c in
                defer { o += c }
                return g.sliceChannels(o, c)
            }
        }
    }

    /// Channels `[start, start + width)` of the last axis, as a dense tensor.
    public func sliceChannels(_ start: Int, _ width: Int) -> Tensor {
        let c = shape.last ?? 0
        precondition(start >= 0 && width >= 0 && start + width <= c, "slice: [\(start), \(start + width)) of \(shape)")
        let lead = Array(shape.dropLast())
        let rows = lead.reduce(1, *)
        let y = Tensor(uninitializedShape: lead + [width])
        yk_slice_channels(pointer, Int64(c), Int64(start), y.pointer, Int64(width), Int64(rows))
        return y.recording("slice", [self]) { [shape] g in
            let dx = Tensor(shape: shape, repeating: 0)
            yk_copy_channels(g.pointer, Int64(width), dx.pointer, Int64(c), Int64(start), Int64(rows))
            return [dx]
        }
    }

    /// Splits the last axis into consecutive chunks of the given widths.
    public func splitChannels(_ widths: [Int]) -> [Tensor] {
        precondition(widths.reduce(0, +) == shape.last, "split: widths \(widths) for \(shape)")
        var off = 0
        return widths.map { w in
            defer { off += w }
            return sliceChannels(off, w)
        }
    }
}
