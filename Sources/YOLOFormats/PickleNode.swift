import Foundation

/// Mutable, reference-based intermediate representation used while a pickle is being decoded.
///
/// Python containers are shared by reference through the memo and mutated after creation (SETITEMS, APPENDS,
/// BUILD), so decoding works on boxes and only converts to the immutable `PickleValue` tree at the end.
indirect enum PickleNode {
    case value(PickleValue)
    case tuple(TupleBox)
    case list(ListBox)
    case dict(DictBox)
    case set(SetBox)
    case object(ObjectBox)
    case tensor(TensorBox)
    case storage(StorageRef)
}

final class ListBox { var items: [PickleNode] = [] }
/// A tuple is immutable in Python, but it is boxed here like the mutable containers so that shared tuples keep their
/// identity (a DUP/TUPLE2 chain stays linear, not exponential) and the graph can be taken apart without recursion.
final class TupleBox {
    var items: [PickleNode]
    init(_ items: [PickleNode]) { self.items = items }
}
final class DictBox { var items: [(PickleNode, PickleNode)] = [] }
final class SetBox { var items: [PickleNode] = []; var frozen = false }

final class ObjectBox {
    let module: String
    let name: String
    var args: [PickleNode]
    var kwargs: [(PickleNode, PickleNode)] = []
    var state: PickleNode?
    var dictItems: [(PickleNode, PickleNode)] = []
    var listItems: [PickleNode] = []
    init(module: String, name: String, args: [PickleNode]) {
        self.module = module
        self.name = name
        self.args = args
    }
}

/// A reference to a torch storage (from a persistent id), resolved to bytes lazily.
struct StorageRef {
    let key: String
    let dtype: TensorDType
    let numel: Int
}

/// A tensor view over a storage, materialized when the tree is converted (so errors can name the tensor's path).
final class TensorBox {
    let storage: StorageRef
    let offset: Int
    let size: [Int]
    let stride: [Int]
    var resolved: StoredTensor?
    init(storage: StorageRef, offset: Int, size: [Int], stride: [Int]) {
        self.storage = storage
        self.offset = offset
        self.size = size
        self.stride = stride
    }
}

/// Converts decoded nodes to `PickleValue`s, materializing tensors and breaking reference cycles.
struct PickleTreeBuilder {
    /// Materializes a tensor view; the second argument is the dotted attribute path for error messages.
    let materialize: (TensorBox, String) throws -> StoredTensor
    let fileName: String
    private var cache: [ObjectIdentifier: PickleValue] = [:]
    private var inProgress: Set<ObjectIdentifier> = []
    private var depth = 0
    static let maxDepth = 1_000
    /// Size of the fully expanded tree so far: a shared container counts once per reference, so a chain of
    /// DUP/TUPLE2 doublings is caught here instead of in whatever walks the tree later.
    private var expanded = 0
    private var expandedSizes: [ObjectIdentifier: Int] = [:]
    let maxExpanded: Int

    /// - Parameter maxExpanded: the most nodes the expanded tree may have (give it in proportion to the stream size).
    init(fileName: String, maxExpanded: Int = 100_000,
         materialize: @escaping (TensorBox, String) throws -> StoredTensor) {
        self.fileName = fileName
        self.maxExpanded = maxExpanded
        self.materialize = materialize
    }

    /// The budget for a pickle stream of `byteCount` bytes: 64 nodes per byte (at least 100k) — generous for real
    /// checkpoints, whose memo sharing expands little — and far below what a few hundred bytes of DUP/TUPLE2 build.
    static func expansionBudget(forStreamOf byteCount: Int) -> Int {
        max(100_000, min(byteCount, Int.max / 64) * 64)
    }

    /// A dotted path for a message: `<root>` when empty, its last 60 characters after "…" when long.
    static func shortPath(_ path: String) -> String {
        if path.isEmpty { return "<root>" }
        return path.count <= 80 ? path : "…" + path.suffix(60)
    }

    private mutating func count(_ n: Int, _ path: String) throws {
        expanded += n
        guard expanded <= maxExpanded else {
            throw CheckpointError.malformedPickle(
                file: fileName, offset: 0,
                detail: "shared references expand to more than \(maxExpanded) objects at \(Self.shortPath(path))")
        }
    }

    /// Converts `node`; `path` names where it sits (dict keys and attributes joined by dots; the torch
    /// containers `_modules`, `_parameters` and `_buffers` are transparent so paths match state_dict keys).
    mutating func convert(_ node: PickleNode, path: String) throws -> PickleValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw CheckpointError.malformedPickle(file: fileName, offset: 0,
                                                  detail: "objects nested deeper than \(Self.maxDepth) levels")
        }
        try count(1, path)
        switch node {
        case .value(let v):
            return v
        case .tuple(let box):
            return try shared(box, path) { b, this in
                .tuple(try b.items.enumerated().map { try this.convert($1, path: this.join(path, String($0))) })
            }
        case .storage(let ref):
            return .object(PickleObject(module: "torch", name: "Storage",
                                        args: [.string(ref.key), .string(ref.dtype.rawValue), .int(ref.numel)]))
        case .tensor(let box):
            if let done = box.resolved { return .tensor(done) }
            let tensor = try materialize(box, path.isEmpty ? "<root>" : path)
            box.resolved = tensor
            return .tensor(tensor)
        case .list(let box):
            return try shared(box, path) { b, this in
                .list(try b.items.enumerated().map { try this.convert($1, path: this.join(path, String($0))) })
            }
        case .set(let box):
            return try shared(box, path) { b, this in
                .set(try b.items.map { try this.convert($0, path: path) })
            }
        case .dict(let box):
            return try shared(box, path) { b, this in
                .dict(try this.convertItems(b.items, path: path))
            }
        case .object(let box):
            return try shared(box, path) { b, this in
                let args = try b.args.enumerated().map { try this.convert($1, path: this.join(path, "arg\($0)")) }
                let kwargs = try this.convertItems(b.kwargs, path: path)
                let state = try b.state.map { try this.convert($0, path: path) }
                let dictItems = try this.convertItems(b.dictItems, path: path)
                let listItems = try b.listItems.enumerated().map { try this.convert($1, path: this.join(path, String($0))) }
                return .object(PickleObject(module: b.module, name: b.name, args: args, kwargs: kwargs, state: state,
                                            dictItems: dictItems, listItems: listItems))
            }
        }
    }

    private mutating func convertItems(_ items: [(PickleNode, PickleNode)], path: String) throws -> [(PickleValue, PickleValue)] {
        var out: [(PickleValue, PickleValue)] = []
        out.reserveCapacity(items.count)
        for (k, v) in items {
            let key = try convert(k, path: path)
            let segment: String
            switch key {
            case .string(let s) where s == "_modules" || s == "_parameters" || s == "_buffers": segment = ""
            case .string(let s): segment = s
            case .int(let i): segment = String(i)
            default: segment = "?"
            }
            out.append((key, try convert(v, path: join(path, segment))))
        }
        return out
    }

    private mutating func shared<B: AnyObject>(_ box: B, _ path: String,
                                               _ body: (B, inout PickleTreeBuilder) throws -> PickleValue) throws -> PickleValue {
        let id = ObjectIdentifier(box)
        if let done = cache[id] {
            try count(max(0, (expandedSizes[id] ?? 1) - 1), path)
            return done
        }
        // A reference cycle cannot be represented in an immutable tree; the back-reference becomes a marker object.
        if inProgress.contains(id) { return .object(PickleObject(module: "", name: "<recursive reference>")) }
        inProgress.insert(id)
        defer { inProgress.remove(id) }
        let before = expanded
        let value = try body(box, &self)
        cache[id] = value
        expandedSizes[id] = expanded - before + 1
        return value
    }

    private func join(_ path: String, _ segment: String) -> String {
        if segment.isEmpty { return path }
        return path.isEmpty ? segment : path + "." + segment
    }
}

extension PickleNode {
    /// Takes a decoded graph apart without recursion: every container reachable from `roots` is emptied, children
    /// first moved to a work list, so releasing a 50k-deep nesting does not overflow the stack. Call when done.
    static func dismantle(_ roots: [PickleNode]) {
        var work = roots
        while let node = work.popLast() {
            switch node {
            case .tuple(let b): work.append(contentsOf: b.items); b.items = []
            case .list(let b): work.append(contentsOf: b.items); b.items = []
            case .set(let b): work.append(contentsOf: b.items); b.items = []
            case .dict(let b):
                for (k, v) in b.items { work.append(k); work.append(v) }
                b.items = []
            case .object(let b):
                work.append(contentsOf: b.args)
                for (k, v) in b.kwargs { work.append(k); work.append(v) }
                for (k, v) in b.dictItems { work.append(k); work.append(v) }
                work.append(contentsOf: b.listItems)
                if let st = b.state { work.append(st) }
                b.kwargs = []; b.dictItems = []; b.listItems = []; b.state = nil; b.args = []
            case .value, .tensor, .storage:
                break
            }
        }
    }
}
