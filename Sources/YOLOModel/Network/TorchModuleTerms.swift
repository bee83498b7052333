import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

/// Builds the pickled form of `torch.nn.Module` instances: the `__dict__` every module has (training flag,
/// parameter/buffer/module dicts, the empty hook dicts) followed by the class's own attributes, as torch 2.x writes
/// them. Floating-point tensors are stored in `dtype` with non-finite values replaced like `torch.nan_to_num_`.
struct TorchModuleTerms {
    /// Storage type of floating-point parameters and buffers (float16 in checkpoints).
    let dtype: TensorDType
    /// Value of every module's `training` flag.
    let training: Bool
    /// `requires_grad` of the parameters (false in EMA and stripped models).
    let requiresGrad: Bool
    /// The one `nn.SiLU` instance every `Conv` shares (Ultralytics' `Conv.default_act`).
    let sharedSiLU: PickleInstance

    init(dtype: TensorDType, training: Bool, requiresGrad: Bool) {
        self.dtype = dtype
        self.training = training
        self.requiresGrad = requiresGrad
        sharedSiLU = PickleInstance(module: "torch.nn.modules.activation", name: "SiLU",
                                    attributes: Self.baseAttributes(training: training) + [("inplace", false)])
    }

    /// The `nn.Module.__init__` attributes, in torch's order, with the given parameters, buffers and children.
    static func baseAttributes(training: Bool, parameters: [(String, PickleTerm)] = [], buffers: [(String, PickleTerm)] = [],
                               children: [(String, PickleTerm)] = []) -> [(String, PickleTerm)] {
        let hooks = PickleTerm.orderedDict([])
        return [
            ("training", .bool(training)),
            ("_parameters", .stringDict(parameters)),
            ("_buffers", .stringDict(buffers)),
            ("_non_persistent_buffers_set", .set([])),
            ("_backward_pre_hooks", hooks),
            ("_backward_hooks", hooks),
            ("_is_full_backward_hook", .none),
            ("_forward_hooks", hooks),
            ("_forward_hooks_with_kwargs", hooks),
            ("_forward_hooks_always_called", hooks),
            ("_forward_pre_hooks", hooks),
            ("_forward_pre_hooks_with_kwargs", hooks),
            ("_state_dict_hooks", hooks),
            ("_state_dict_pre_hooks", hooks),
            ("_load_state_dict_pre_hooks", hooks),
            ("_load_state_dict_post_hooks", hooks),
            ("_modules", .stringDict(children)),
        ]
    }

    /// An instance of `module.name` with the base attributes then `attributes`.
    func module(_ module: String, _ name: String, parameters: [(String, PickleTerm)] = [], buffers: [(String, PickleTerm)] = [],
                children: [(String, PickleTerm)] = [], attributes: [(String, PickleTerm)] = []) -> PickleTerm {
        .instance(PickleInstance(module: module, name: name, attributes: Self.baseAttributes(
            training: training, parameters: parameters, buffers: buffers, children: children) + attributes))
    }

    // MARK: - Tensors

    /// A tensor's values in `dtype` (NaN → 0, ±inf and overflow → the largest finite value of the type).
    func stored(_ t: Tensor) -> StoredTensor {
        Self.stored(t.toArray(), shape: t.shape, dtype: dtype)
    }

    static func stored(_ values: [Float], shape: [Int], dtype: TensorDType) -> StoredTensor {
        let limit: Float = dtype == .float16 ? 65_504 : .greatestFiniteMagnitude
        let clean = values.map { v -> Float in v.isNaN ? 0 : min(max(v, -limit), limit) }
        return StoredTensor(shape: shape, floats: clean, dtype: dtype)
    }

    func parameter(_ t: Tensor, requiresGrad: Bool? = nil) -> PickleTerm {
        .parameter(stored(t), requiresGrad: requiresGrad ?? self.requiresGrad)
    }

    /// A floating-point tensor attribute in `dtype` (e.g. the head's `stride`).
    func floatTensor(_ values: [Float], shape: [Int]? = nil) -> PickleTerm {
        .tensor(Self.stored(values, shape: shape ?? [values.count], dtype: dtype))
    }

    // MARK: - torch.nn layers

    func conv2d(_ c: Conv2d, requiresGrad: Bool? = nil) -> PickleTerm {
        let k = c.kernelSize, s = c.stride, p = c.padding, d = c.dilation
        return module("torch.nn.modules.conv", "Conv2d",
                      parameters: [("weight", parameter(c.weight, requiresGrad: requiresGrad)),
                                   ("bias", c.bias.map { parameter($0, requiresGrad: requiresGrad) } ?? .none)],
                      attributes: [
                          ("in_channels", .int(c.inChannels)), ("out_channels", .int(c.outChannels)),
                          ("kernel_size", .intTuple([k, k])), ("stride", .intTuple([s, s])),
                          ("padding", .intTuple([p, p])), ("dilation", .intTuple([d, d])),
                          ("transposed", false), ("output_padding", .intTuple([0, 0])),
                          ("groups", .int(c.groups)), ("padding_mode", "zeros"),
                          ("_reversed_padding_repeated_twice", .intTuple([p, p, p, p])),
                      ])
    }

    func batchNorm2d(_ b: BatchNorm2d) -> PickleTerm {
        let tracked = StoredTensor(shape: [], floats: [b.numBatchesTracked.pointer[0].rounded()], dtype: .int64)
        return module("torch.nn.modules.batchnorm", "BatchNorm2d",
                      parameters: [("weight", parameter(b.weight)), ("bias", parameter(b.bias))],
                      buffers: [("running_mean", .tensor(stored(b.runningMean))), ("running_var", .tensor(stored(b.runningVar))),
                                ("num_batches_tracked", .tensor(tracked))],
                      attributes: [("num_features", .int(b.channels)), ("eps", .float32(b.eps)),
                                   ("momentum", .float32(b.momentum)), ("affine", true), ("track_running_stats", true)])
    }

    /// `nn.Identity()` (what Ultralytics' `Conv(act=False)` holds, and `Detect.dfl` when reg_max is 1).
    func identity() -> PickleTerm { module("torch.nn.modules.linear", "Identity") }

    func maxPool2d(kernel: Int) -> PickleTerm {
        module("torch.nn.modules.pooling", "MaxPool2d", attributes: [
            ("kernel_size", .int(kernel)), ("stride", 1), ("padding", .int(kernel / 2)), ("dilation", 1),
            ("return_indices", false), ("ceil_mode", false),
        ])
    }

    func sequential(_ items: [PickleTerm]) -> PickleTerm {
        module("torch.nn.modules.container", "Sequential", children: items.enumerated().map { (String($0.offset), $0.element) })
    }

    func moduleList(_ items: [PickleTerm]) -> PickleTerm {
        module("torch.nn.modules.container", "ModuleList", children: items.enumerated().map { (String($0.offset), $0.element) })
    }
}
