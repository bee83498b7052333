import YOLOTensor

/// A state dict that does not fit the module it is loaded into.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    case missingKeys([String])
    case unexpectedKeys([String])
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingKeys(let k):
            return "missing \(k.count) key(s) in state dict: \(k.prefix(5).joined(separator: ", "))\(k.count > 5 ? ", …" : "")"
        case .unexpectedKeys(let k):
            return "unexpected \(k.count) key(s) in state dict: \(k.prefix(5).joined(separator: ", "))\(k.count > 5 ? ", …" : "")"
        case .shapeMismatch(let key, let expected, let found):
            return "shape mismatch for \(key): model expects \(expected), checkpoint has \(found)"
        }
    }
}

extension Module {
    /// Copies values into this module's parameters and buffers by dotted key. Strict: every key must be
    /// present on both sides with the same element layout; errors name the key and both shapes.
    /// `values` maps a key to its shape and a closure writing that many floats.
    public func loadStateDict(_ values: [String: (shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) -> Void)]) throws {
        let mine = stateDict()
        let myKeys = Set(mine.map(\.0))
        let missing = mine.map(\.0).filter { values[$0] == nil }
        if !missing.isEmpty { throw StateDictError.missingKeys(missing) }
        let unexpected = values.keys.filter { !myKeys.contains($0) }.sorted()
        if !unexpected.isEmpty { throw StateDictError.unexpectedKeys(unexpected) }
        for (key, tensor) in mine {
            let v = values[key]!
            // Scalars (num_batches_tracked) are stored with shape [] in PyTorch.
            guard v.shape == tensor.shape else {
                throw StateDictError.shapeMismatch(key: key, expected: tensor.shape, found: v.shape)
            }
            v.fill(tensor.buffer)
            tensor.markModified()
        }
    }

    /// Loads from tensors keyed by dotted path (strict).
    public func loadStateDict(tensors: [String: Tensor]) throws {
        try loadStateDict(tensors.mapValues { t in
            (shape: t.shape, fill: { (dst: UnsafeMutableBufferPointer<Float>) in
                dst.baseAddress!.update(from: t.pointer, count: t.count) })
        })
    }
}
