import Foundation
import YOLOModel
import YOLONN
import YOLOTensor

/// Our forward with every convolution on NHWC against the default `ConvLayoutPolicy`, one network each, the two
/// alternating forward by forward so that the machine's drift hits both alike.
enum LayoutBench {
    static func run(options o: Options) throws {
        let policies: [ConvLayoutPolicy] = [.nhwc, ConvLayoutPolicy.current == .nhwc ? .automatic : ConvLayoutPolicy.current]
        let nets = try policies.map { _ in try YOLONetwork.load(o.model, task: "pose") }
        for n in nets { n.fuse() }
        var rng = SystemRandomNumberGenerator()
        let count = o.imgsz * o.imgsz * 3
        let x = Tensor(shape: [1, o.imgsz, o.imgsz, 3], values: (0..<count).map { _ in Float.random(in: 0...1, using: &rng) })
        var times: [[Double]] = [[], []]
        var outputs: [[Float]] = [[], []]
        withNoGrad {
            for i in 0..<(o.warmup + o.runs) {
                for (k, net) in nets.enumerated() {
                    ConvLayoutPolicy.current = policies[k]
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let y = net(x)
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                    if i >= o.warmup { times[k].append(dt) } else if i == 0 { outputs[k] = y.toArray() }
                }
            }
        }
        ConvLayoutPolicy.current = policies[1]
        let diff = zip(outputs[0], outputs[1]).map { abs($0 - $1) }.max() ?? .nan
        let blocked = nets[1].namedModules().compactMap { ($0.1 as? Conv2d)?.cache.primitives }.flatMap { $0 }
        print("forward, batch 1, \(o.imgsz)×\(o.imgsz), \(o.model), oneDNN \(OneDNNInfo.isa), \(o.runs) runs each, interleaved")
        print(String(format: "policy %@ blocks activations: %@; %d of %d primitives blocked; max |Δ| of the outputs %.2e",
                     "\(policies[1])", ConvLayoutPolicy.blocksActivations ? "yes" : "no",
                     blocked.filter(\.isBlocked).count, blocked.count, diff))
        let a = Stats(times[0]), b = Stats(times[1])
        print(String(format: "nhwc        median %7.1f ms  min %7.1f ms", a.median, a.min))
        print(String(format: "%-11@ median %7.1f ms  min %7.1f ms   (%@/nhwc %.2f)", "\(policies[1])", b.median, b.min,
                     "\(policies[1])", b.median / a.median))
    }
}
