import Foundation

/// Mutable, reference-based intermediate representation used while a pickle is being decoded.
///
/// Python containers are shared by reference through the memo and mutated after creation (SETITEMS, APPENDS,
/// BUILD), so decoding works on boxes and only converts to the immutable `PickleValue` tree at the end.
indirect enum PickleNode {
    case value(PickleValue)
    case tuple([PickleNode])
    case list(ListBox)
    case dict(DictBox)
    case set(SetBox)
    case object(ObjectBox)
    case tensor(TensorBox)
    case storage(StorageRef)
}

final class ListBox { var items: [PickleNode] = [] }
final class DictBox { var items: [(PickleNode, PickleNode)] = [] }
final class SetBox { var items: [PickleNode] = []; var frozen = false }

final class ObjectBox {
    let module: String
    let name: String
    let args: [PickleNode]
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

    init(fileName: String, materialize: @escaping (TensorBox, String) throws -> StoredTensor) {
        self.fileName = fileName
        self.materialize = materialize
    }

    /// Converts `node`; `path` names where it sits (dict keys and attributes joined by dots; the torch
    /// containers `_modules`, `_parameters` and `_buffers` are transparent so paths match state_dict keys).
    mutating func convert(_ node: PickleNode, path: String) throws -> PickleValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw CheckpointError.malformedPickle(file: fileName, offset: 0,
                                                  detail: "objects nested deeper than \(Self.maxDepth) levels at \(path)")
        }
        switch node {
        case .value(let v):
            return v
        case .tuple(let items):
            return .tuple(try items.enumerated().map { try convert($1, path: join(path, String($0))) })
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
        if let done = cache[id] { return done }
        // A reference cycle cannot be represented in an immutable tree; the back-reference becomes a marker object.
        if inProgress.contains(id) { return .object(PickleObject(module: "", name: "<recursive reference>")) }
        inProgress.insert(id)
        defer { inProgress.remove(id) }
        let value = try body(box, &self)
        cache[id] = value
        return value
    }

    private func join(_ path: String, _ segment: String) -> String {
        if segment.isEmpty { return path }
        return path.isEmpty ? segment : path + "." + segment
    }
}
