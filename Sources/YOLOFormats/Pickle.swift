import Foundation

/// Decoding of standalone pickle streams (no persistent ids, hence no tensors).
public enum Pickle {
    /// Decodes a pickle stream into an inert value tree. Nothing is executed.
    /// - Parameters:
    ///   - data: the pickle bytes (protocol 0–5).
    ///   - name: the name used in error messages (e.g. the file name).
    /// - Throws: `CheckpointError.malformedPickle` for any malformed input.
    public static func decode(_ data: Data, name: String = "<pickle>") throws -> PickleValue {
        var machine = PickleMachine(bytes: [UInt8](data), fileName: name)
        var root: PickleNode?
        defer { machine.dismantle(root.map { [$0] } ?? []) }
        root = try machine.run()
        var builder = PickleTreeBuilder(fileName: name, maxExpanded: PickleTreeBuilder.expansionBudget(forStreamOf: data.count)) { _, path in
            throw CheckpointError.invalidTensor(file: name, tensor: path, detail: "tensor without storage")
        }
        return try builder.convert(root!, path: "")
    }
}
