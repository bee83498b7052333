import YOLOTensor

/// Base class of every layer. Subclasses list their parameters, buffers and children in PyTorch
/// registration order under the attribute names Ultralytics uses, so the dotted paths produced by
/// `stateDict()` are exactly the keys of an Ultralytics checkpoint (`model.22.cv4.0.2.weight`).
open class Module {
    /// Training mode (batch statistics in BN, gradients recorded by the caller).
    public private(set) var isTraining = false

    public init() {}

    /// Own trainable parameters, in registration order. Absent ones (a conv without bias) are omitted.
    open var namedParameters: [(String, Tensor)] { [] }
    /// Own persistent buffers (BN running statistics), in registration order.
    open var namedBuffers: [(String, Tensor)] { [] }
    /// Child modules, in registration order.
    open var namedChildren: [(String, Module)] { [] }

    /// Switches this module and its descendants between training and inference.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, child) in namedChildren { child.train(on) }
    }

    /// Shorthand for `train(false)`.
    public func eval() { train(false) }

    /// Every descendant (including self) with its dotted path, depth first.
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var out: [(String, Module)] = [(prefix, self)]
        for (name, child) in namedChildren {
            out += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return out
    }

    /// All trainable parameters with dotted keys.
    public func allParameters() -> [(String, Tensor)] {
        namedModules().flatMap { path, m in m.namedParameters.map { (path.isEmpty ? $0.0 : "\(path).\($0.0)", $0.1) } }
    }

    /// State dict in PyTorch order: each module's parameters, then its buffers, then its children.
    public func stateDict(prefix: String = "") -> [(String, Tensor)] {
        func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
        var out = namedParameters.map { (key($0.0), $0.1) } + namedBuffers.map { (key($0.0), $0.1) }
        for (name, child) in namedChildren { out += child.stateDict(prefix: key(name)) }
        return out
    }

    /// Number of parameter elements.
    public var parameterCount: Int { allParameters().reduce(0) { $0 + $1.1.count } }
}

/// An ordered list of modules named "0", "1", … (PyTorch's `Sequential` and `ModuleList`).
public final class ModuleList: Module {
    public let items: [Module]
    public init(_ items: [Module]) { self.items = items }
    public override var namedChildren: [(String, Module)] { items.enumerated().map { (String($0.offset), $0.element) } }
    public subscript(i: Int) -> Module { items[i] }
    public var count: Int { items.count }
}
