import Foundation
import YOLOFormats
import YOLONN
import YOLOTensor

/// One layer's pickled `__dict__`, split where Ultralytics inserts the per-layer `np`, `i`, `f`, `type`.
struct LayerBody {
    /// The `nn.Module` base attributes (children included).
    var base: [(String, PickleTerm)]
    /// The class's own attributes, set by its constructor.
    var attributes: [(String, PickleTerm)]
    /// Head only: attributes set after `np`/`i`/`f`/`type` (`inplace`, the anchor caches).
    var headTail: [(String, PickleTerm)]?
}

extension YOLONetwork {
    /// The Ultralytics class of a top-level layer and its attributes.
    func layerTerm(_ layer: Module, index: Int, terms: TorchModuleTerms, inplace: Bool, file: String) throws
        -> (cls: (module: String, name: String), body: LayerBody) {
        if let head = layer as? DetectHead { return headTerm(head, terms: terms, inplace: inplace) }
        if let upsample = layer as? Upsample {
            let scale = PickleTerm.float(Double(upsample.scale))
            return (("torch.nn.modules.upsampling", "Upsample"), LayerBody(
                base: TorchModuleTerms.baseAttributes(training: terms.training),
                attributes: [("name", "Upsample"), ("size", .none), ("scale_factor", scale), ("mode", "nearest"),
                             ("align_corners", .none), ("recompute_scale_factor", .none)]))
        }
        if layer is Concat {
            let dimension = config.layers[index].args.first?.int ?? 1
            return (("ultralytics.nn.modules.conv", "Concat"), LayerBody(
                base: TorchModuleTerms.baseAttributes(training: terms.training), attributes: [("d", .int(dimension))]))
        }
        guard let (cls, body) = try blockParts(layer, terms: terms, file: file) else {
            throw CheckpointWriteError.unsupportedLayer(file: file, layer: index, type: String(describing: type(of: layer)))
        }
        return (cls, body)
    }

    /// A nested block (a Conv inside a C2f, a Bottleneck, …) as a complete instance.
    private func blockTerm(_ m: Module, terms: TorchModuleTerms, file: String) throws -> PickleTerm {
        guard let (cls, body) = try blockParts(m, terms: terms, file: file) else {
            throw CheckpointWriteError.unsupportedLayer(file: file, layer: -1, type: String(describing: type(of: m)))
        }
        return .instance(PickleInstance(module: cls.module, name: cls.name, attributes: body.base + body.attributes))
    }

    private func blockParts(_ m: Module, terms: TorchModuleTerms, file: String) throws
        -> (cls: (module: String, name: String), body: LayerBody)? {
        func base(_ children: [(String, PickleTerm)]) -> [(String, PickleTerm)] {
            TorchModuleTerms.baseAttributes(training: terms.training, children: children)
        }
        switch m {
        case let c as ConvBlock:
            guard let bn = c.bn else { throw CheckpointWriteError.fusedNetwork(file: file) }
            let act: PickleTerm = c.act ? .instance(terms.sharedSiLU) : terms.identity()
            return (("ultralytics.nn.modules.conv", "Conv"),
                    LayerBody(base: base([("conv", terms.conv2d(c.conv)), ("bn", terms.batchNorm2d(bn)), ("act", act)]),
                              attributes: []))
        case let b as Bottleneck:
            return (("ultralytics.nn.modules.block", "Bottleneck"), LayerBody(
                base: base([("cv1", try blockTerm(b.cv1, terms: terms, file: file)),
                            ("cv2", try blockTerm(b.cv2, terms: terms, file: file))]),
                attributes: [("add", .bool(b.add))]))
        case let c as C2f:
            let blocks = try c.m.items.map { try blockTerm($0, terms: terms, file: file) }
            return (("ultralytics.nn.modules.block", "C2f"), LayerBody(
                base: base([("cv1", try blockTerm(c.cv1, terms: terms, file: file)),
                            ("cv2", try blockTerm(c.cv2, terms: terms, file: file)), ("m", terms.moduleList(blocks))]),
                attributes: [("c", .int(c.hidden))]))
        case let c as C2:
            let blocks = try c.m.items.map { try blockTerm($0, terms: terms, file: file) }
            return (("ultralytics.nn.modules.block", "C2"), LayerBody(
                base: base([("cv1", try blockTerm(c.cv1, terms: terms, file: file)),
                            ("cv2", try blockTerm(c.cv2, terms: terms, file: file)), ("m", terms.sequential(blocks))]),
                attributes: [("c", .int(c.hidden))]))
        case let s as SPPF:
            return (("ultralytics.nn.modules.block", "SPPF"), LayerBody(
                base: base([("cv1", try blockTerm(s.cv1, terms: terms, file: file)),
                            ("cv2", try blockTerm(s.cv2, terms: terms, file: file)), ("m", terms.maxPool2d(kernel: s.k))]),
                attributes: [("n", 3), ("add", false)]))
        default:
            return nil
        }
    }

    /// `ultralytics.nn.modules.head.Pose` / `Detect` (the YOLOv8 "legacy" head: plain Conv branches).
    private func headTerm(_ h: DetectHead, terms: TorchModuleTerms, inplace: Bool)
        -> (cls: (module: String, name: String), body: LayerBody) {
        func branches(_ list: ModuleList) -> PickleTerm {
            terms.moduleList(list.items.map { branch in
                let seq = branch as! ModuleList
                let a = seq[0] as! ConvBlock, b = seq[1] as! ConvBlock, c = seq[2] as! Conv2d
                return terms.sequential([conv(a, terms), conv(b, terms), terms.conv2d(c)])
            })
        }
        var children: [(String, PickleTerm)] = [("cv2", branches(h.cv2)), ("cv3", branches(h.cv3))]
        if let dfl = h.dfl {
            children.append(("dfl", terms.module("ultralytics.nn.modules.block", "DFL",
                                                 children: [("conv", terms.conv2d(dfl.conv, requiresGrad: false))],
                                                 attributes: [("c1", .int(h.regMax))])))
        } else {
            children.append(("dfl", terms.identity()))
        }
        if let cv4 = h.cv4 { children.append(("cv4", branches(cv4))) }
        var attributes: [(String, PickleTerm)] = [
            ("nc", .int(h.nc)), ("nl", .int(h.levelCount)), ("reg_max", .int(h.regMax)), ("no", .int(h.nc + 4 * h.regMax)),
            ("stride", terms.floatTensor(h.stride)),
        ]
        if let kpt = h.kptShape { attributes += [("kpt_shape", .ints(kpt)), ("nk", .int(kpt[0] * kpt[1]))] }
        let tail: [(String, PickleTerm)] = [("inplace", .bool(inplace)), ("anchors", terms.floatTensor([])),
                                            ("strides", terms.floatTensor([]))]
        return (("ultralytics.nn.modules.head", h.kptShape == nil ? "Detect" : "Pose"),
                LayerBody(base: TorchModuleTerms.baseAttributes(training: terms.training, children: children),
                          attributes: attributes, headTail: tail))
    }

    /// A head branch Conv (never fused here: the caller checked the network).
    private func conv(_ c: ConvBlock, _ terms: TorchModuleTerms) -> PickleTerm {
        let act: PickleTerm = c.act ? .instance(terms.sharedSiLU) : terms.identity()
        return terms.module("ultralytics.nn.modules.conv", "Conv",
                            children: [("conv", terms.conv2d(c.conv)), ("bn", c.bn.map(terms.batchNorm2d) ?? terms.identity()),
                                       ("act", act)])
    }
}
