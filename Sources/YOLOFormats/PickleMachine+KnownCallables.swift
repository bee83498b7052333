import Foundation

extension PickleMachine {
    /// Interprets the few callables whose result has a natural inert representation. Returns nil for all others.
    mutating func callKnown(module: String, name: String, args: [PickleNode]) throws -> PickleNode? {
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"):
            let d = DictBox()
            if let first = args.first { d.items = try pairsFromIterable(first) }
            return .dict(d)
        case ("builtins", "set"), ("builtins", "frozenset"):
            let s = SetBox()
            s.frozen = name == "frozenset"
            if let first = args.first { s.items = try elements(first) }
            return .set(s)
        case ("builtins", "list"):
            let l = ListBox()
            if let first = args.first { l.items = try elements(first) }
            return .list(l)
        case ("builtins", "tuple"), ("torch", "Size"):
            return .tuple(TupleBox(try args.first.map { try elements($0) } ?? []))
        case ("builtins", "bytes"), ("builtins", "bytearray"):
            guard let first = args.first else { return .value(.bytes(Data())) }
            if case .value(.bytes(let d)) = first { return .value(.bytes(d)) }
            if case .value(.string(let s)) = first { return .value(.bytes(latin1(s))) }
            if case .list(let l) = first {
                return .value(.bytes(Data(l.items.compactMap { node -> UInt8? in
                    if case .value(.int(let v)) = node, (0...255).contains(v) { return UInt8(v) }
                    return nil
                })))
            }
            return nil
        case ("_codecs", "encode"):
            // Protocol-2 pickles encode bytes as _codecs.encode(latin1_text, 'latin1').
            guard case .value(.string(let s))? = args.first else { return nil }
            return .value(.bytes(latin1(s)))
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            return .tensor(try tensorView(args))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = args.first else { throw fail("\(name) without arguments") }
            return data
        case ("copyreg", "_reconstructor"):
            // Protocol 0/1 instances: _reconstructor(cls, base, state) followed by BUILD.
            guard case .value(.global(let m, let n))? = args.first else { return nil }
            return .object(ObjectBox(module: m, name: n, args: []))
        case ("torch._tensor", "_rebuild_from_type_v2"):
            // (func, new_type, args, state): the subclass wrapper is dropped, the inner call interpreted.
            guard args.count >= 3, case .tuple(let innerBox) = args[2] else { return nil }
            let inner = innerBox.items
            return try call(args[0], inner)
        default:
            return nil
        }
    }

    /// Builds a tensor view from `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)` arguments.
    private func tensorView(_ args: [PickleNode]) throws -> TensorBox {
        guard args.count >= 4 else { throw fail("tensor rebuild with \(args.count) arguments (need at least 4)") }
        guard case .storage(let storage) = args[0] else { throw fail("tensor rebuild argument 0 is not a storage") }
        guard case .value(.int(let offset)) = args[1], offset >= 0 else { throw fail("tensor storage offset is not a non-negative int") }
        let size = try intTuple(args[2], what: "size")
        let stride = try intTuple(args[3], what: "stride")
        guard size.count == stride.count else {
            throw fail("tensor size has \(size.count) dimensions but stride has \(stride.count)")
        }
        guard size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor size or stride is negative")
        }
        return TensorBox(storage: storage, offset: offset, size: size, stride: stride)
    }

    private func intTuple(_ node: PickleNode, what: String) throws -> [Int] {
        let items = try elements(node)
        return try items.map { item in
            guard case .value(.int(let v)) = item else { throw fail("tensor \(what) contains a non-integer") }
            return v
        }
    }

    /// Elements of a tuple, list or set node.
    private func elements(_ node: PickleNode) throws -> [PickleNode] {
        switch node {
        case .tuple(let t): return t.items
        case .list(let l): return l.items
        case .set(let s): return s.items
        default: throw fail("expected a sequence argument")
        }
    }

    /// Key/value pairs from a dict node or a sequence of 2-tuples / 2-lists.
    private func pairsFromIterable(_ node: PickleNode) throws -> [(PickleNode, PickleNode)] {
        if case .dict(let d) = node { return d.items }
        return try elements(node).map { pair in
            let kv = try elements(pair)
            guard kv.count == 2 else { throw fail("dict item is not a pair") }
            return (kv[0], kv[1])
        }
    }

    private func latin1(_ s: String) -> Data {
        Data(s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
    }
}
