import Foundation
import YOLOFormats

/// One module instance of the exported object graph: its class, its parameter tensors and its submodules.
/// Pickled into `data.pkl` the way TorchScript stores a module: `cls.__new__(cls)` then BUILD with a dict holding
/// the parameters, `training`, `_is_full_backward_hook` and the submodules.
final class TorchScriptObject {
    /// Qualified class name, e.g. `__torch__.torch.nn.modules.conv.Conv2d`.
    let type: String
    let parameters: [(name: String, tensor: StoredTensor)]
    let submodules: [(name: String, object: TorchScriptObject)]

    init(type: String, parameters: [(name: String, tensor: StoredTensor)], submodules: [(name: String, object: TorchScriptObject)]) {
        self.type = type
        self.parameters = parameters
        self.submodules = submodules
    }

    /// The module in eval mode, as a pickle term whose tensors become `data/<key>` storages.
    var pickleTerm: PickleTerm {
        let cut = type.lastIndex(of: ".")!
        let module = String(type[..<cut]), name = String(type[type.index(after: cut)...])
        var attributes: [(String, PickleTerm)] = parameters.map { ($0.name, .tensor($0.tensor)) }
        attributes.append(("training", false))
        attributes.append(("_is_full_backward_hook", .none))
        attributes += submodules.map { ($0.name, $0.object.pickleTerm) }
        return .instance(PickleInstance(module: module, name: name, attributes: attributes))
    }

    /// Every parameter with its dotted path (`model.0.conv.weight`), depth first, as `named_parameters()` lists them.
    func namedParameters(prefix: String = "") -> [(String, StoredTensor)] {
        parameters.map { (prefix + $0.name, $0.tensor) }
            + submodules.flatMap { $0.object.namedParameters(prefix: prefix + $0.name + ".") }
    }
}

/// A method's source, built line by line: `def <name>(self: $SELF, <args>) -> <returns>:` and an indented body.
struct TorchScriptMethod {
    var name = "forward"
    var arguments: [String]
    var returns = "Tensor"
    private(set) var body: [String] = []

    init(name: String = "forward", arguments: [String], returns: String = "Tensor") {
        self.name = name
        self.arguments = arguments
        self.returns = returns
    }

    /// Appends a statement at the method's body level plus `indent` extra levels (two spaces each).
    mutating func line(_ statement: String, indent: Int = 0) {
        body.append(String(repeating: "  ", count: indent) + statement)
    }

    /// Binds every submodule used by the body to a local of the same name (`conv = self.conv`,
    /// `_0 = getattr(self, "0")`) and returns the local names in order.
    mutating func bindSubmodules(_ names: [String]) -> [String] {
        names.map { name in
            if TorchScriptClassTable.isIdentifier(name) {
                line("\(name) = self.\(name)")
                return name
            }
            let local = "_\(name)"
            line("\(local) = getattr(self, \"\(name)\")")
            return local
        }
    }

    /// The method as it appears inside its class statement.
    var source: String {
        let signature = (["self: \(TorchScriptClassSpec.selfPlaceholder)"] + arguments).joined(separator: ",\n    ")
        return "  def \(name)(\(signature)) -> \(returns):\n" + body.map { "    " + $0 + "\n" }.joined()
    }
}

/// Number formatting for generated source: integers as such, floats always with a decimal point or exponent
/// (TorchScript types `2` as int and `2.` as float).
enum TorchScriptLiteral {
    static func float(_ v: Double) -> String {
        var s = "\(v)"
        if !s.contains(".") && !s.contains("e") && !s.contains("inf") && !s.contains("nan") { s += ".0" }
        return s
    }

    static func ints(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
}
