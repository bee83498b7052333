import Foundation
import YOLOEngine
import YOLOModel
import YOLONN
import YOLOTensor

/// What `optimizer=` resolved to: the optimizer, and the values the reference writes back into the training
/// arguments under `optimizer=auto` (`optimizer`, `lr0`, `warmup_bias_lr = 0`) so a resume rebuilds the same choice.
public struct OptimizerChoice {
    public let optimizer: Optimizer
    public let lr: Double
    public let momentum: Double
    /// True when `optimizer=auto` picked it.
    public let automatic: Bool
    /// The reference's "optimizer: …" log lines.
    public let log: [String]
}

/// Errors in `optimizer=` and friends.
public enum OptimizerError: Error, CustomStringConvertible, LocalizedError {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let name):
            let valid = "{" + (["Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop", "SGD", "MuSGD", "auto"]
                .map { "'\($0)'" }.joined(separator: ", ")) + "}"
            return "Optimizer '\(name)' not found in list of available optimizers \(valid)."
        }
    }
    public var errorDescription: String? { description }
}

extension OptimizerChoice {
    /// Builds the optimizer the reference's trainer builds (spec train-and-val §2.4–2.5): `auto` picks AdamW with
    /// lr = round(0.002·5/(4+nc), 6) and momentum 0.9 for ≤ 10 000 iterations, else MuSGD(lr 0.01, momentum 0.9);
    /// parameters go to the weight / bn / bias groups (MuSGD: a muon group for conv weights, each group split in
    /// two with 3× lr for the classification branch).
    public static func make(name: String, network: YOLONetwork, lr: Double, momentum: Double, decay: Double,
                            iterations: Int, nc: Int) throws -> OptimizerChoice {
        var log: [String] = []
        let prefix = "\u{1B}[34m\u{1B}[1moptimizer:\u{1B}[0m "
        var kind: OptimizerKind
        var (lr, momentum) = (lr, momentum)
        let automatic = name.lowercased() == "auto"
        if automatic {
            log.append(prefix + "'optimizer=auto' found, ignoring 'lr0=\(pyFloat(lr))' and determining best 'optimizer' and 'lr0' automatically... ")
            let fit = (0.002 * 5 / Double(4 + nc) * 1e6).rounded(.toNearestOrEven) / 1e6
            (kind, lr, momentum) = iterations > 10000 ? (.muSGD, 0.01, 0.9) : (.adamW, fit, 0.9)
        } else {
            guard let k = OptimizerKind(name: name) else { throw OptimizerError.unknown(name) }
            kind = k
        }
        var params: [(module: String, name: String, tensor: Tensor, isNorm: Bool)] = []
        for (path, m) in network.namedModules() {
            for (n, t) in m.namedParameters { params.append((path, n, t, m is BatchNorm2d)) }
        }
        let groups = ParameterGroup.split(params, lr: lr, momentum: momentum, decay: decay)
        let optimizer: Optimizer
        switch kind {
        case .sgd: optimizer = SGD(groups: groups, nesterov: true)
        case .adam: optimizer = Adam(groups: groups, decoupled: false)
        case .adamW: optimizer = Adam(groups: groups, decoupled: true)
        case .muSGD: optimizer = try MuSGD(groups: groups, network: network)
        case .adamax, .nAdam, .rAdam: optimizer = AdamVariant(groups: groups, kind: kind)
        case .rmsProp: optimizer = RMSprop(groups: groups)
        }
        // The reference counts the muon group in place of the (then empty) decayed-weight group.
        let decayed = kind == .muSGD ? params.filter { $0.tensor.rank == 2 || $0.tensor.rank == 4 }.count
                                     : groups[0].parameters.count
        log.append(prefix + "\(kind.rawValue)(lr=\(pyFloat(lr)), momentum=\(pyFloat(momentum))) with parameter groups "
                   + "\(groups[1].parameters.count) weight(decay=0.0), \(decayed) weight(decay=\(pyFloat(decay))), "
                   + "\(groups[2].parameters.count) bias(decay=0.0)")
        return OptimizerChoice(optimizer: optimizer, lr: lr, momentum: momentum, automatic: automatic, log: log)
    }
}

/// Python's `repr` of a float as the reference prints it (`0.002`, `0.0`, `1e-05`).
func pyFloat(_ v: Double) -> String { CLIValue.pythonFloat(v) }
