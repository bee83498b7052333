import Foundation
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Builds the network described by `config` (random initialisation as Ultralytics does for a fresh model).
    public convenience init(config: ModelConfig, seed: UInt64 = 0) throws {
        var channels = [Int]()           // output channels per layer
        var strides = [Int]()            // output stride per layer
        var layers = [Module]()
        var sources = [[Int]]()
        var save = Set<Int>()
        var head: DetectHead?
        let file = config.source

        func makeDivisible(_ x: Double) -> Int { Int((x / 8).rounded(.up)) * 8 }
        func scaled(_ c: Int) -> Int {
            c != config.nc ? makeDivisible(Double(min(c, config.maxChannels)) * config.widthMultiple) : c
        }
        for (i, spec) in config.layers.enumerated() {
            let from = spec.from.map { $0 < 0 ? i + $0 : $0 }
            guard from.allSatisfy({ $0 >= -1 && $0 < max(i, 1) }), i == 0 || from.allSatisfy({ $0 >= 0 }) else {
                throw ModelConfigError.invalid(file, "layer \(i): 'from' \(spec.from) refers to a later layer")
            }
            let inC = from.map { $0 < 0 ? config.channels : channels[$0] }
            let inS = from.map { $0 < 0 ? 1 : strides[$0] }
            let n = spec.repeats > 1 ? max(Int((Double(spec.repeats) * config.depthMultiple).rounded(.toNearestOrEven)), 1)
                                     : spec.repeats
            let args = try spec.args.map { try YOLONetwork.evaluate($0, config, file, i) }
            func int(_ k: Int, _ def: Int? = nil) throws -> Int {
                if k < args.count, let v = args[k].int { return v }
                if let def { return def }
                throw ModelConfigError.invalid(file, "layer \(i) (\(spec.module)): argument \(k) must be an integer")
            }
            func bool(_ k: Int, _ def: Bool) -> Bool { k < args.count ? (args[k].int.map { $0 != 0 } ?? def) : def }
            let module = spec.module.replacingOccurrences(of: "torch.nn.", with: "").replacingOccurrences(of: "nn.", with: "")
            var outC = inC[0], outS = inS[0]
            let layer: Module
            switch module {
            case "Conv":
                outC = scaled(try int(0))
                let k = try int(1, 1), s = try int(2, 1)
                let p = args.count > 3 ? args[3].int : nil
                let g = try int(4, 1), d = try int(5, 1)
                let act = args.count > 6 ? (args[6].int.map { $0 != 0 } ?? true) : true
                layer = ConvBlock(inC[0], outC, k: k, s: s, p: p, g: g, d: d, act: act)
                outS *= s
            case "C2f", "C2":
                outC = scaled(try int(0))
                let shortcut = bool(1, module == "C2")
                layer = module == "C2f" ? C2f(inC[0], outC, n: n, shortcut: shortcut) : C2(inC[0], outC, n: n, shortcut: shortcut)
            case "Bottleneck":
                outC = scaled(try int(0))
                layer = Bottleneck(inC[0], outC, shortcut: bool(1, true))
            case "SPPF":
                outC = scaled(try int(0))
                layer = SPPF(inC[0], outC, k: try int(1, 5))
            case "Upsample":
                let factor = args.count > 1 ? (args[1].int ?? 2) : 2
                layer = Upsample(scale: factor)
                outS = max(outS / factor, 1)
            case "Concat":
                outC = inC.reduce(0, +)
                guard Set(inS).count == 1 else {
                    throw ModelConfigError.invalid(file, "layer \(i): Concat of maps with strides \(inS)")
                }
                layer = Concat()
            case "Pose", "Detect":
                guard i == config.layers.count - 1 else {
                    throw ModelConfigError.invalid(file, "layer \(i): the \(module) head must be the last layer")
                }
                let kpt: [Int]? = module == "Pose" ? (config.kptShape ?? [17, 3]) : nil
                let h = DetectHead(nc: config.nc, kptShape: kpt, regMax: config.regMax, channels: inC)
                h.stride = inS.map(Float.init)
                head = h
                layer = h
            default:
                throw ModelConfigError.unsupportedModule(file, layer: i, module: spec.module)
            }
            layers.append(layer)
            sources.append(from.map { $0 < 0 ? -1 : $0 })
            for (raw, f) in zip(spec.from, from) where raw != -1 { save.insert(f) }
            channels.append(outC)
            strides.append(outS)
        }
        guard let head else { throw ModelConfigError.invalid(file, "no Detect or Pose head") }
        // The first layer reads the image; other "-1" sources were resolved to i-1 above.
        sources[0] = [-1]
        self.init(config: config, layers: layers, sources: sources, save: save, head: head)
        initializeWeights(seed: seed)
        head.initializeBiases()
    }

    /// Interprets one YAML argument: the symbols `nc` and `kpt_shape`, `None`, and literals.
    private static func evaluate(_ arg: ConfigNode, _ c: ModelConfig, _ file: String, _ layer: Int) throws -> ConfigNode {
        guard case .string(let s) = arg else { return arg }
        switch s {
        case "nc": return .int(c.nc)
        case "kpt_shape": return .list((c.kptShape ?? [17, 3]).map { .int($0) })
        case "None": return .none
        case "True": return .bool(true)
        case "False": return .bool(false)
        default: return arg
        }
    }
}
