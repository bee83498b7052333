import Foundation

/// One TorchScript module class as this exporter defines it: where it lives in the `__torch__` namespace, the
/// attributes it declares (parameters, submodules) and the source of its methods.
///
/// Method sources write `$SELF` wherever the class's own qualified name belongs (the `self` annotation), because
/// the name is only known once the class table has decided whether the class needs a mangled name.
struct TorchScriptClassSpec: Hashable {
    /// Python-style module path below `__torch__`, e.g. `ultralytics.nn.modules.conv`.
    var module: String
    /// Class name, e.g. `Conv`.
    var name: String
    /// Tensor attributes registered as parameters, in order.
    var parameters: [String] = []
    /// Submodule attributes with their qualified TorchScript types, in order.
    var submodules: [Attribute] = []
    /// Method definitions (`def …` blocks indented by two spaces, bodies by four).
    var methods: [String] = []

    struct Attribute: Hashable {
        var name: String
        var type: String
    }

    /// The placeholder for the class's own qualified name inside `methods`.
    static let selfPlaceholder = "$SELF"
}

/// The classes of one archive. Identical specs share one class; a spec that differs from an earlier one with the same
/// module and name gets a mangled module `<module>.___torch_mangle_<n>` (the scheme TorchScript itself uses, so
/// `original_name` stays the plain class name). Renders the `code/__torch__/…py` files.
final class TorchScriptClassTable {
    private struct Defined {
        let qualifiedModule: String
        let spec: TorchScriptClassSpec
    }

    private var byContent: [TorchScriptClassSpec: String] = [:]
    private var plainNamesTaken: Set<String> = []
    private var defined: [Defined] = []
    private var mangleCounter = 0

    /// Registers `spec` (or finds an identical one) and returns its qualified type name,
    /// e.g. `__torch__.ultralytics.nn.modules.conv.___torch_mangle_3.Conv`.
    func define(_ spec: TorchScriptClassSpec) -> String {
        if let name = byContent[spec] { return name }
        let plain = "__torch__.\(spec.module)"
        var module = plain
        if plainNamesTaken.contains("\(plain).\(spec.name)") {
            module = "\(plain).___torch_mangle_\(mangleCounter)"
            mangleCounter += 1
        } else {
            plainNamesTaken.insert("\(plain).\(spec.name)")
        }
        let qualified = "\(module).\(spec.name)"
        byContent[spec] = qualified
        defined.append(Defined(qualifiedModule: module, spec: spec))
        return qualified
    }

    /// The code files, `code/__torch__/a/b.py` for module `__torch__.a.b`, each holding its classes in definition
    /// order; files in order of their first class.
    func codeFiles() -> [(path: String, source: String)] {
        var order: [String] = []
        var sources: [String: String] = [:]
        for d in defined {
            let path = "code/" + d.qualifiedModule.replacingOccurrences(of: ".", with: "/") + ".py"
            if sources[path] == nil { order.append(path); sources[path] = "" }
            sources[path]! += Self.render(d.spec, qualifiedName: "\(d.qualifiedModule).\(d.spec.name)")
        }
        return order.map { ($0, sources[$0]!) }
    }

    /// The class statement: parameter and buffer lists, attribute declarations, then the methods.
    static func render(_ spec: TorchScriptClassSpec, qualifiedName: String) -> String {
        var lines = ["class \(spec.name)(Module):"]
        lines.append("  __parameters__ = [" + spec.parameters.map { "\"\($0)\", " }.joined() + "]")
        lines.append("  __buffers__ = []")
        for p in spec.parameters { lines.append("  \(p) : Tensor") }
        lines.append("  training : bool")
        lines.append("  _is_full_backward_hook : Optional[bool]")
        for a in spec.submodules {
            if isIdentifier(a.name) {
                lines.append("  \(a.name) : \(a.type)")
            } else {
                lines.append("  __annotations__[\"\(a.name)\"] = \(a.type)")
            }
        }
        var text = lines.joined(separator: "\n") + "\n"
        for m in spec.methods {
            text += m.replacingOccurrences(of: TorchScriptClassSpec.selfPlaceholder, with: qualifiedName)
        }
        return text
    }

    /// Whether `name` can be written as a plain attribute (`self.name`) rather than through `getattr`.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}
