import Foundation
import YOLOFormats
import YOLOTensor

extension Optimizer {
    /// The group hyperparameters torch's optimizer of this kind stores after `lr`, `param_group` and the
    /// momentum/betas entry (so torch can step a loaded state).
    func torchGroupDefaults(_ g: ParameterGroup) -> [(String, PickleValue)] {
        let wd = PickleValue.float(g.weightDecay)
        switch kind {
        case .sgd:
            return [("nesterov", .bool(true)), ("dampening", .int(0)), ("weight_decay", wd), ("maximize", .bool(false)),
                    ("foreach", .none), ("differentiable", .bool(false)), ("fused", .none)]
        case .adam, .adamW:
            return [("weight_decay", wd), ("eps", .float(1e-8)), ("amsgrad", .bool(false)), ("maximize", .bool(false)),
                    ("foreach", .none), ("capturable", .bool(false)), ("differentiable", .bool(false)), ("fused", .none),
                    ("decoupled_weight_decay", .bool(kind == .adamW))]
        case .adamax:
            return [("weight_decay", wd), ("eps", .float(1e-8)), ("foreach", .none), ("maximize", .bool(false)),
                    ("differentiable", .bool(false)), ("capturable", .bool(false))]
        case .nAdam:
            return [("weight_decay", wd), ("eps", .float(1e-8)), ("momentum_decay", .float(0.004)),
                    ("decoupled_weight_decay", .bool(false)), ("maximize", .bool(false)), ("foreach", .none),
                    ("capturable", .bool(false)), ("differentiable", .bool(false))]
        case .rAdam:
            return [("weight_decay", wd), ("eps", .float(1e-8)), ("maximize", .bool(false)), ("foreach", .none),
                    ("capturable", .bool(false)), ("decoupled_weight_decay", .bool(false)), ("differentiable", .bool(false))]
        case .rmsProp:
            return [("alpha", .float(0.99)), ("eps", .float(1e-8)), ("centered", .bool(false)), ("weight_decay", wd),
                    ("capturable", .bool(false)), ("foreach", .none), ("maximize", .bool(false)), ("differentiable", .bool(false))]
        case .muSGD:
            return [("nesterov", .bool(true)), ("use_muon", .bool(g.kind == "muon")), ("weight_decay", wd)]
        }
    }

    /// torch's `optimizer.state_dict()` as the reference stores it in checkpoints: `state` by flat parameter
    /// index (buffers in fp16 except `step`, `exp_avg`, `exp_avg_sq`, `square_avg`) and `param_groups` with
    /// every hyperparameter, `initial_lr` and the parameter indices.
    public func stateDict() -> PickleValue {
        var stateItems: [(PickleValue, PickleValue)] = []
        for (_, index, _) in indexedParameters {
            guard let s = state[index] else { continue }
            var entries: [(PickleValue, PickleValue)] = []
            if kind != .sgd && kind != .muSGD {
                entries.append((.string("step"), .tensor(StoredTensor(shape: [], floats: [Float(s.step)]))))
            }
            if let mu = (self as? AdamVariant)?.muProducts[index] {
                entries.append((.string("mu_product"), .tensor(StoredTensor(shape: [], floats: [Float(mu)]))))
            }
            for name in Self.bufferOrder(kind) {
                guard let t = s.buffers[name] else { continue }
                let keep32 = ["exp_avg", "exp_avg_sq", "square_avg"].contains(name)
                entries.append((.string(name), .tensor(StoredTensor(shape: t.shape, floats: t.toArray(),
                                                                      dtype: keep32 ? .float32 : .float16))))
            }
            stateItems.append((.int(index), .dict(entries)))
        }
        var groupsOut: [PickleValue] = []
        var next = 0
        for g in groups {
            let momentumEntry: (String, PickleValue) = kind.hasMomentumKey
                ? ("momentum", .float(g.momentum)) : ("betas", .tuple([.float(g.momentum), .float(0.999)]))
            var items: [(String, PickleValue)] = [("lr", .float(g.lr)), ("param_group", .string(g.kind)), momentumEntry]
            items += torchGroupDefaults(g)
            items.append(("initial_lr", .float(g.initialLR)))
            items.append(("params", .list((next..<(next + g.parameters.count)).map { .int($0) })))
            next += g.parameters.count
            groupsOut.append(.dict(items.map { (.string($0.0), $0.1) }))
        }
        return .dict([(.string("state"), .dict(stateItems)), (.string("param_groups"), .list(groupsOut))])
    }

    static func bufferOrder(_ kind: OptimizerKind) -> [String] {
        switch kind {
        case .sgd: return ["momentum_buffer"]
        case .muSGD: return ["momentum_buffer", "momentum_buffer_SGD"]
        case .rmsProp: return ["square_avg", "momentum_buffer"]
        case .adamax: return ["exp_avg", "exp_inf"]
        default: return ["exp_avg", "exp_avg_sq"]
        }
    }

    /// Restores a state saved by `stateDict()` (or by the reference for the same optimizer and model):
    /// per-group lr, initial lr, momentum and decay, and every parameter's buffers. Shapes are checked.
    public func load(stateDict sd: PickleValue) throws {
        guard let saved = sd["param_groups"]?.arrayValue, saved.count == groups.count else {
            throw OptimizerStateError.mismatch("optimizer state has \(sd["param_groups"]?.arrayValue?.count ?? 0) parameter groups, expected \(groups.count)")
        }
        for (i, g) in saved.enumerated() {
            guard (g["params"]?.arrayValue?.count ?? -1) == groups[i].parameters.count else {
                throw OptimizerStateError.mismatch("optimizer group \(i) has \(g["params"]?.arrayValue?.count ?? 0) parameters, expected \(groups[i].parameters.count)")
            }
            if let lr = g["lr"]?.doubleValue { groups[i].lr = lr }
            if let lr = g["initial_lr"]?.doubleValue { groups[i].initialLR = lr }
            if let m = g["momentum"]?.doubleValue ?? g["betas"]?.arrayValue?.first?.doubleValue { groups[i].momentum = m }
            if let wd = g["weight_decay"]?.doubleValue { groups[i].weightDecay = wd }
        }
        let params = indexedParameters
        state = [:]
        for (k, v) in sd["state"]?.dictValue ?? [] {
            guard let index = k.intValue, index >= 0, index < params.count else { continue }
            let p = params[index].tensor
            var s = ParameterState()
            for (name, value) in v.dictValue ?? [] {
                guard let key = name.stringValue, let t = value.tensorValue else { continue }
                if key == "step" { s.step = Int(t.floats().first ?? 0); continue }
                if key == "mu_product" { (self as? AdamVariant)?.muProducts[index] = Double(t.floats().first ?? 1); continue }
                guard t.shape == p.shape else {
                    throw OptimizerStateError.mismatch("optimizer state '\(key)' of parameter \(index) has shape \(t.shape), expected \(p.shape)")
                }
                s.buffers[key] = Tensor(shape: t.shape, values: t.floats())
            }
            if kind == .sgd || kind == .muSGD { s.step = 1 }
            state[index] = s
        }
    }
}

/// A saved optimizer state that does not fit the optimizer being resumed.
public enum OptimizerStateError: Error, CustomStringConvertible, LocalizedError {
    case mismatch(String)
    public var description: String { if case .mismatch(let m) = self { return m }; return "" }
    public var errorDescription: String? { description }
}
