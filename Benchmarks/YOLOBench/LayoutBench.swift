import Foundation
import YOLOModel
import YOLONN
import YOLOTensor

/// Our forward with every convolution on NHWC, on the blocked layout with oneDNN's direct kernels only, and with the
/// default policy (blocked + Winograd where the CPU takes the blocked layout): one network each, alternating forward
/// by forward so that the machine's drift hits all alike. Policies apply when primitives are created, which happens
/// in each network's first forward under its own settings.
enum LayoutBench {
    private struct Variant {
        var name: String
        var policy: ConvLayoutPolicy
        var winograd: Bool
    }

    static func run(options o: Options) throws {
        let defaultPolicy = ConvLayoutPolicy.current == .nhwc ? ConvLayoutPolicy.automatic : ConvLayoutPolicy.current
        let defaultWinograd = ConvWinograd.isEnabled
        let variants = [Variant(name: "nhwc", policy: .nhwc, winograd: false),
                        Variant(name: "direct", policy: defaultPolicy, winograd: false),
                        Variant(name: "default", policy: defaultPolicy, winograd: true)]
        let nets = try variants.map { _ in try YOLONetwork.load(o.model, task: "pose") }
        for n in nets { n.fuse() }
        var rng = SystemRandomNumberGenerator()
        let count = o.imgsz * o.imgsz * 3
        let x = Tensor(shape: [1, o.imgsz, o.imgsz, 3], values: (0..<count).map { _ in Float.random(in: 0...1, using: &rng) })
        var times = [[Double]](repeating: [], count: variants.count)
        var outputs = [[Float]](repeating: [], count: variants.count)
        withNoGrad {
            for i in 0..<(o.warmup + o.runs) {
                for (k, net) in nets.enumerated() {
                    ConvLayoutPolicy.current = variants[k].policy
                    ConvWinograd.isEnabled = variants[k].winograd
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let y = net(x)
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                    if i >= o.warmup { times[k].append(dt) } else if i == 0 { outputs[k] = y.toArray() }
                }
            }
        }
        ConvLayoutPolicy.current = defaultPolicy
        ConvWinograd.isEnabled = defaultWinograd
        print("forward, batch 1, \(o.imgsz)×\(o.imgsz), \(o.model), oneDNN \(OneDNNInfo.isa), \(o.runs) runs each, interleaved")
        print("policy \(defaultPolicy) blocks activations: \(ConvLayoutPolicy.blocksActivations ? "yes" : "no")")
        let base = Stats(times[0])
        for (k, v) in variants.enumerated() {
            let prims = nets[k].namedModules().compactMap { ($0.1 as? Conv2d)?.cache.primitives }.flatMap { $0 }
            let s = Stats(times[k])
            let diff = zip(outputs[0], outputs[k]).map { abs($0 - $1) }.max() ?? .nan
            print(String(format: "%-8@ median %7.1f ms  min %7.1f ms  /nhwc %.2f   %2d of %2d primitives blocked, %2d Winograd; max |Δ| vs nhwc %.2e",
                         v.name, s.median, s.min, s.median / base.median, prims.filter(\.isBlocked).count, prims.count,
                         prims.filter(\.isWinograd).count, diff))
        }
    }
}
