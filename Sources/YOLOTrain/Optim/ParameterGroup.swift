import YOLOTensor

/// One optimizer parameter group, as the reference builds them (spec train-and-val §2.5): its kind
/// (`weight` with decay, `bn` scales, `bias`), the tensors in model order with their state-dict keys, and the
/// hyperparameters the trainer adjusts during warmup (`lr`, `momentum`).
public struct ParameterGroup {
    /// The reference's `param_group` tag: "weight", "bn" or "bias".
    public var kind: String
    /// Parameters with their dotted names, in `named_modules` order.
    public var parameters: [(name: String, tensor: Tensor)]
    /// Current learning rate.
    public var lr: Double
    /// The learning rate the schedule scales (`initial_lr`).
    public var initialLR: Double
    /// SGD momentum / Adam β1 (the trainer's warmup changes it only for optimizers with a momentum key).
    public var momentum: Double
    /// L2 (SGD, Adam) or decoupled (AdamW) weight decay.
    public var weightDecay: Double

    public init(kind: String, parameters: [(name: String, tensor: Tensor)], lr: Double, momentum: Double,
                weightDecay: Double) {
        self.kind = kind
        self.parameters = parameters
        self.lr = lr
        self.initialLR = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
    }
}

extension ParameterGroup {
    /// Splits a module's parameters into the reference's three groups, in its order: pg0 decayed weights,
    /// pg1 normalisation-layer weights, pg2 biases (a name containing "bias" wins over the normalisation rule).
    /// `isNorm` tells whether the module that owns a parameter is a normalisation layer.
    public static func split(_ parameters: [(module: String, name: String, tensor: Tensor, isNorm: Bool)],
                             lr: Double, momentum: Double, decay: Double) -> [ParameterGroup] {
        var weight: [(name: String, tensor: Tensor)] = [], bn = weight, bias = weight
        for p in parameters {
            let full = p.module.isEmpty ? p.name : "\(p.module).\(p.name)"
            if full.contains("bias") { bias.append((full, p.tensor)) }
            else if p.isNorm || full.contains("logit_scale") { bn.append((full, p.tensor)) }
            else { weight.append((full, p.tensor)) }
        }
        return [ParameterGroup(kind: "weight", parameters: weight, lr: lr, momentum: momentum, weightDecay: decay),
                ParameterGroup(kind: "bn", parameters: bn, lr: lr, momentum: momentum, weightDecay: 0),
                ParameterGroup(kind: "bias", parameters: bias, lr: lr, momentum: momentum, weightDecay: 0)]
    }
}
