import Foundation

/// A Python value to be written by `PickleWriter`: the writer-side counterpart of `PickleValue`.
///
/// It says how each object is constructed when unpickled (NEWOBJ for module instances, REDUCE for callables such as
/// `OrderedDict` or torch's tensor rebuilders) and which objects are one shared instance (`PickleInstance` is a
/// class: every occurrence of the same instance is written once and referenced from the memo afterwards).
public indirect enum PickleTerm: Sendable {
    /// Python `None`.
    case none
    /// Python `bool`.
    case bool(Bool)
    /// Python `int` (64-bit).
    case int(Int)
    /// Python `float`.
    case float(Double)
    /// Python `str`.
    case string(String)
    /// Python `bytes`.
    case bytes(Data)
    /// Python `list`.
    case list([PickleTerm])
    /// Python `tuple`.
    case tuple([PickleTerm])
    /// Python `dict`, in insertion order.
    case dict([(PickleTerm, PickleTerm)])
    /// `collections.OrderedDict`, in insertion order.
    case orderedDict([(PickleTerm, PickleTerm)])
    /// Python `set`, in the given order.
    case set([PickleTerm])
    /// A reference to a global (a class or function), written as GLOBAL.
    case global(module: String, name: String)
    /// A `torch.Tensor` with its data (rebuilt by `torch._utils._rebuild_tensor_v2`, contiguous, on the CPU).
    case tensor(StoredTensor)
    /// A `torch.nn.Parameter` wrapping a tensor (rebuilt by `torch._utils._rebuild_parameter`).
    case parameter(StoredTensor, requiresGrad: Bool)
    /// A class instance or the result of a call; shared by identity.
    case instance(PickleInstance)
}

/// A Python object built by the unpickler: `cls.__new__(cls)` (NEWOBJ) or `callable(*args)` (REDUCE), followed by
/// BUILD with `state` (usually the instance `__dict__`). The same instance written twice is pickled once.
public final class PickleInstance: Sendable {
    /// How the unpickler creates the object.
    public enum Construction: Sendable {
        /// `cls.__new__(cls, *args)` — how `torch.save` writes `nn.Module` instances (args are usually empty).
        case newObject([PickleTerm])
        /// `callable(*args)` — e.g. `IterableSimpleNamespace()`.
        case call([PickleTerm])
    }

    /// Module of the class or callable, e.g. "ultralytics.nn.modules.conv".
    public let module: String
    /// Name of the class or callable, e.g. "Conv".
    public let name: String
    /// NEWOBJ or REDUCE, with the arguments.
    public let construction: Construction
    /// The state given to BUILD, or nil for none.
    public let state: PickleTerm?

    /// Creates an instance description.
    public init(module: String, name: String, construction: Construction = .newObject([]), state: PickleTerm? = nil) {
        self.module = module
        self.name = name
        self.construction = construction
        self.state = state
    }

    /// An instance whose BUILD state is a `__dict__` with string keys, in the given order.
    public convenience init(module: String, name: String, construction: Construction = .newObject([]),
                            attributes: [(String, PickleTerm)]) {
        self.init(module: module, name: name, construction: construction,
                  state: .dict(attributes.map { (.string($0.0), $0.1) }))
    }

    /// "module.name".
    public var qualifiedName: String { "\(module).\(name)" }
}

extension PickleTerm {
    /// A dict with string keys, in the given order.
    public static func stringDict(_ items: [(String, PickleTerm)]) -> PickleTerm {
        .dict(items.map { (.string($0.0), $0.1) })
    }

    /// A list of ints.
    public static func ints(_ values: [Int]) -> PickleTerm { .list(values.map { .int($0) }) }

    /// A tuple of ints.
    public static func intTuple(_ values: [Int]) -> PickleTerm { .tuple(values.map { .int($0) }) }

    /// A float given as Float32, written as the shortest decimal that reads back as the same Float32
    /// (so `Float(1e-3)` is pickled as Python's `0.001`, not `0.0010000000474974513`).
    public static func float32(_ value: Float) -> PickleTerm {
        .float(value.isFinite ? (Double("\(value)") ?? Double(value)) : Double(value))
    }

    /// `value` or `None`.
    public static func optional(_ value: PickleTerm?) -> PickleTerm { value ?? .none }
}

extension PickleTerm {
    /// Converts a decoded value to a term that pickles to an equivalent value: dicts stay plain dicts, tensors
    /// become tensors, and `.object` records become instances built the way they were decoded (REDUCE of
    /// `module.name(*args)` when there are arguments or the record was a call, BUILD with its state, then its
    /// dict items). Large-int and recursive-reference markers are written as `None`.
    public init(_ value: PickleValue) {
        switch value {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .bytes(let d): self = .bytes(d)
        case .list(let items): self = .list(items.map(PickleTerm.init))
        case .tuple(let items): self = .tuple(items.map(PickleTerm.init))
        case .dict(let items): self = .dict(items.map { (PickleTerm($0.0), PickleTerm($0.1)) })
        case .set(let items): self = .set(items.map(PickleTerm.init))
        case .tensor(let t): self = .tensor(t)
        case .global(let m, let n): self = .global(module: m, name: n)
        case .object(let o):
            guard !o.module.isEmpty, o.listItems.isEmpty else { self = .none; return }
            var state = o.state.map(PickleTerm.init)
            if !o.dictItems.isEmpty {
                // Dict-subclass items: merge them into a dict state so nothing is lost.
                let items = o.dictItems.map { (PickleTerm($0.0), PickleTerm($0.1)) }
                if case .dict(let s)? = state { state = .dict(s + items) } else if state == nil { state = .dict(items) }
            }
            self = .instance(PickleInstance(module: o.module, name: o.name,
                                            construction: .call(o.args.map(PickleTerm.init)), state: state))
        }
    }
}

extension PickleTerm: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .none }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is a Python list.
    public init(arrayLiteral elements: PickleTerm...) { self = .list(elements) }
    /// A dictionary literal is a Python dict in literal order.
    public init(dictionaryLiteral elements: (PickleTerm, PickleTerm)...) { self = .dict(elements) }
}
