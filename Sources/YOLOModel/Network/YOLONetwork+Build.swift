import Foundation
import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Builds the network described by `config` (random initialisation as Ultralytics does for a fresh model).
    public convenience init(config: ModelConfig, seed: UInt64 = 0) throws {
        try self.init(config: config, seed: seed, randomWeights: true)
    }

    /// Builds the network; without `randomWeights` the parameters stay zero, for callers that overwrite every one of
    /// them (a strict state-dict load, a copy): drawing ~3 M random numbers cost ~40 ms of every `.pt` load.
    convenience init(config: ModelConfig, seed: UInt64 = 0, randomWeights: Bool) throws {
        var channels = [Int]()           // output channels per layer
        var strides = [Int]()            // output stride per layer
        var layers = [Module]()
        var sources = [[Int]]()
        var save = Set<Int>()
        var head: DetectHead?
        let file = config.source
        try config.checkHeadRanges()

        var parameters = 0.0             // running estimate, checked before each layer is allocated
        func makeDivisible(_ x: Double) -> Int { Int((x / 8).rounded(.up)) * 8 }
        func scaled(_ c: Int, _ i: Int) throws -> Int {
            guard c > 0 else { throw ModelConfigError.invalid(file, "layer \(i): channel count \(c) must be positive") }
            let value = c != config.nc ? Double(min(c, config.maxChannels)) * config.widthMultiple : Double(c)
            guard value <= Double(Self.maxLayerChannels) else {
                throw ModelConfigError.invalid(file, "layer \(i): \(c) channels scale to \(value), above \(Self.maxLayerChannels)")
            }
            return c != config.nc ? makeDivisible(value) : c
        }
        func reserve(_ estimate: Double, _ i: Int) throws {
            parameters += estimate
            guard parameters <= Self.maxParameters else {
                throw ModelConfigError.invalid(file, "layer \(i): the model would need more than \(Int(Self.maxParameters)) parameters")
            }
        }
        func ranged(_ v: Int, _ r: ClosedRange<Int>, _ what: String, _ i: Int) throws -> Int {
            guard r.contains(v) else { throw ModelConfigError.invalid(file, "layer \(i): \(what) \(v) is outside \(r)") }
            return v
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
                outC = try scaled(try int(0), i)
                let k = try ranged(try int(1, 1), 1...15, "kernel", i), s = try ranged(try int(2, 1), 1...16, "stride", i)
                let p = try args.count > 3 ? args[3].int.map { try ranged($0, 0...16, "padding", i) } : nil
                let g = try ranged(try int(4, 1), 1...max(1, inC[0]), "groups", i), d = try ranged(try int(5, 1), 1...16, "dilation", i)
                guard inC[0] % g == 0, outC % g == 0 else {
                    throw ModelConfigError.invalid(file, "layer \(i): \(inC[0]) → \(outC) channels are not divisible by groups \(g)")
                }
                try reserve(Double(inC[0]) * Double(outC) * Double(k * k) / Double(g), i)
                let act = args.count > 6 ? (args[6].int.map { $0 != 0 } ?? true) : true
                layer = ConvBlock(inC[0], outC, k: k, s: s, p: p, g: g, d: d, act: act)
                outS *= s
                guard outS <= 1 << 12 else { throw ModelConfigError.invalid(file, "layer \(i): total stride \(outS) exceeds 4096") }
            case "C2f", "C2":
                outC = try scaled(try int(0), i)
                let c = Double(outC) / 2
                try reserve(Double(inC[0]) * 2 * c + Double(2 + n) * c * Double(outC) + Double(n) * 18 * c * c, i)
                let shortcut = bool(1, module == "C2")
                layer = module == "C2f" ? C2f(inC[0], outC, n: n, shortcut: shortcut) : C2(inC[0], outC, n: n, shortcut: shortcut)
            case "Bottleneck":
                outC = try scaled(try int(0), i)
                try reserve(18 * Double(inC[0]) * Double(outC), i)
                layer = Bottleneck(inC[0], outC, shortcut: bool(1, true))
            case "SPPF":
                outC = try scaled(try int(0), i)
                try reserve(Double(inC[0]) * Double(inC[0]) / 2 + 2 * Double(inC[0]) * Double(outC), i)
                layer = SPPF(inC[0], outC, k: try ranged(try int(1, 5), 1...31, "pooling kernel", i))
            case "Upsample":
                let factor = try ranged(args.count > 1 ? (args[1].int ?? 2) : 2, 1...16, "scale factor", i)
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
                try reserve(Self.headParameters(inC, nc: config.nc, regMax: config.regMax, kpt: kpt), i)
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
        if randomWeights {
            initializeWeights(seed: seed)
            head.initializeBiases()
        }
    }

    /// Most channels one layer may have after width scaling (yolov8x uses 640).
    static let maxLayerChannels = 16_384
    /// Most parameters a model definition may ask for (yolov8x-pose has 69 M): 4 GB of fp32 weights.
    static let maxParameters = 1e9

    /// About how many parameters a Detect/Pose head on these input channels has (three conv branches per level).
    static func headParameters(_ inC: [Int], nc: Int, regMax: Int, kpt: [Int]?) -> Double {
        let nk = Double((kpt ?? [0, 0]).reduce(1, *))
        var total = 0.0
        for ch in inC.map(Double.init) {
            let c2 = max(16, ch / 4, 4 * Double(regMax)), c3 = max(ch, min(Double(nc), 100)), c4 = max(ch / 4, nk)
            var branches: [(Double, Double)] = [(c2, 4 * Double(regMax)), (c3, Double(nc))]
            if kpt != nil { branches.append((c4, nk)) }
            for (c, out) in branches { total += c * (9 * ch + 9 * c + out) }
        }
        return total
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
