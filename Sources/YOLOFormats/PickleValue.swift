import Foundation

/// An inert value decoded from a Python pickle stream. Nothing is ever executed while decoding:
/// globals stay as `.global`, and calls of unknown callables become `.object` records.
public indirect enum PickleValue: Sendable {
    /// Python `None`.
    case none
    /// Python `bool`.
    case bool(Bool)
    /// Python `int` that fits in 64 bits (larger ints become `.object` of `builtins.int` with the raw bytes).
    case int(Int)
    /// Python `float`.
    case float(Double)
    /// Python `str`.
    case string(String)
    /// Python `bytes` / `bytearray`.
    case bytes(Data)
    /// Python `list`.
    case list([PickleValue])
    /// Python `tuple`.
    case tuple([PickleValue])
    /// Python `dict` or `collections.OrderedDict`, in insertion order.
    case dict([(PickleValue, PickleValue)])
    /// Python `set` / `frozenset`, in pickled order.
    case set([PickleValue])
    /// A torch tensor (or `nn.Parameter`) with its data materialized.
    case tensor(StoredTensor)
    /// A reference to a Python global (class or function), never resolved.
    case global(module: String, name: String)
    /// An instance created by REDUCE / NEWOBJ of a class or callable that is not specially handled.
    case object(PickleObject)
}

/// An inert record of a pickled object construction: `module.name(*args)` followed by BUILD / SETITEMS / APPENDS.
public final class PickleObject: Sendable {
    /// Module of the class or callable, e.g. "ultralytics.nn.tasks".
    public let module: String
    /// Name of the class or callable, e.g. "PoseModel".
    public let name: String
    /// Positional arguments of the construction call.
    public let args: [PickleValue]
    /// Keyword arguments (NEWOBJ_EX only).
    public let kwargs: [(PickleValue, PickleValue)]
    /// The state passed to BUILD (usually the instance `__dict__`), if any.
    public let state: PickleValue?
    /// Items added by SETITEM(S) (dict subclasses).
    public let dictItems: [(PickleValue, PickleValue)]
    /// Items added by APPEND(S) (list subclasses).
    public let listItems: [PickleValue]

    /// Creates an object record.
    public init(module: String, name: String, args: [PickleValue] = [], kwargs: [(PickleValue, PickleValue)] = [],
                state: PickleValue? = nil, dictItems: [(PickleValue, PickleValue)] = [], listItems: [PickleValue] = []) {
        self.module = module
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.state = state
        self.dictItems = dictItems
        self.listItems = listItems
    }

    /// "module.name".
    public var qualifiedName: String { module.isEmpty ? name : "\(module).\(name)" }

    /// Looks up an attribute in the BUILD state (a dict, or the first element of a `(dict, slots)` tuple,
    /// or the slots dict), then in `dictItems`.
    public subscript(key: String) -> PickleValue? {
        if let state {
            if let found = state[key] { return found }
            if case .tuple(let parts) = state {
                for part in parts { if let found = part[key] { return found } }
            }
        }
        for (k, v) in dictItems where k.stringValue == key { return v }
        return nil
    }

    /// The BUILD state's attribute names and values when the state is a dict, else empty.
    public var attributes: [(PickleValue, PickleValue)] {
        if case .dict(let items)? = state { return items }
        if case .tuple(let parts)? = state, case .dict(let items)? = parts.first { return items }
        return []
    }
}
