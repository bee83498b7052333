/// A rewrite of an `ExportGraph` in place (simplification, precision conversion, opset legalization).
public protocol GraphPass {
    /// Short name for logs.
    var name: String { get }
    /// Rewrites `graph`; returns whether anything changed.
    func run(_ graph: inout ExportGraph) throws -> Bool
}

/// Passes run in order, repeated until none changes the graph (at most `maxRounds` times).
public struct GraphPassPipeline {
    public var passes: [any GraphPass]
    public var maxRounds: Int

    public init(_ passes: [any GraphPass], maxRounds: Int = 4) {
        self.passes = passes
        self.maxRounds = maxRounds
    }

    /// Runs the pipeline; returns whether anything changed.
    @discardableResult
    public func run(_ graph: inout ExportGraph) throws -> Bool {
        var changedAny = false
        for _ in 0..<maxRounds {
            var changed = false
            for p in passes { changed = try p.run(&graph) || changed }
            changedAny = changedAny || changed
            if !changed { break }
        }
        return changedAny
    }

    /// What `simplify=True` runs: constant folding, identity removal, transpose fusion, dead-node elimination and
    /// deduplication of identical constants (the parts of onnxslim's work that apply to our graphs).
    public static var simplify: GraphPassPipeline {
        GraphPassPipeline([ConstantFolding(), IdentityRemoval(), TransposeFusion(), DeadNodeElimination(),
                           ConstantDeduplication()])
    }
}

extension ExportGraph {
    /// Replaces every use of tensor `old` as a node input with `new`.
    mutating func replaceUses(of old: String, with new: String) {
        for i in nodes.indices where nodes[i].inputs.contains(old) {
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
    }

    /// Whether `tensor` is a graph output.
    func isOutput(_ tensor: String) -> Bool { outputs.contains { $0.name == tensor } }
}
