import YOLOTensor

/// The optimizers the trainer accepts, with the reference's names (`optimizer=` is matched case-insensitively).
public enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd = "SGD", adam = "Adam", adamW = "AdamW", adamax = "Adamax", nAdam = "NAdam", rAdam = "RAdam"
    case rmsProp = "RMSprop", muSGD = "MuSGD"

    /// Parses a user value ("adamw", "SGD", …); nil for unknown names and "auto".
    public init?(name: String) {
        guard let k = OptimizerKind.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = k
    }

    /// Whether the groups carry a `momentum` key that warmup ramps (SGD family and RMSprop), rather than `betas`.
    public var hasMomentumKey: Bool { self == .sgd || self == .muSGD || self == .rmsProp }
}

/// Per-parameter optimizer state: named buffers (`momentum_buffer`, `exp_avg`, `exp_avg_sq`) and the step count.
public struct ParameterState {
    public var step: Int = 0
    public var buffers: [String: Tensor] = [:]
    public init(step: Int = 0, buffers: [String: Tensor] = [:]) {
        self.step = step
        self.buffers = buffers
    }
}

/// A first-order optimizer over parameter groups, stepping each parameter that has a gradient, as
/// `torch.optim` does on the CPU (single-tensor code paths).
public protocol Optimizer: AnyObject {
    var kind: OptimizerKind { get }
    var groups: [ParameterGroup] { get set }
    /// State per parameter, indexed like the flattened group parameters (torch's state-dict indices).
    var state: [Int: ParameterState] { get set }
    /// Applies one update to every parameter with a gradient.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient (`zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for g in groups { for p in g.parameters { p.tensor.grad = nil } }
    }

    /// (group index, flat index, parameter) for every parameter, in state-dict order.
    public var indexedParameters: [(group: Int, index: Int, tensor: Tensor)] {
        var out: [(Int, Int, Tensor)] = []
        var i = 0
        for (gi, g) in groups.enumerated() {
            for p in g.parameters { out.append((gi, i, p.tensor)); i += 1 }
        }
        return out
    }
}
