/// Finishes a converted ncnn layer list the way ncnn needs and PNNX writes it:
/// * a blob read by several layers gets a `Split` layer (`splitncnn_<n>`) right after its producer, one copy per
///   reader (ncnn releases a blob once its single consumer has run);
/// * the graph output blob is renamed `out0`; the input keeps `in0`;
/// * every other blob is renamed to its number in production order (`1`, `2`, …).
enum NCNNSplitInsertion {
    static func finish(_ model: NCNNModel, output: String, as outputName: String, input: String) -> NCNNModel {
        var layers = model.layers
        // Readers of each blob, in order.
        var readers: [String: [(layer: Int, slot: Int)]] = [:]
        for (i, l) in layers.enumerated() {
            for (k, b) in l.inputs.enumerated() { readers[b, default: []].append((i, k)) }
        }
        var splitsAfter: [Int: [NCNNLayer]] = [:]
        var splits = 0
        for (i, l) in layers.enumerated() {
            for b in l.outputs {
                guard let r = readers[b], r.count > 1 else { continue }
                let copies = r.indices.map { "\(b)#\($0)" }
                splitsAfter[i, default: []].append(NCNNLayer(type: "Split", name: "splitncnn_\(splits)", inputs: [b], outputs: copies))
                splits += 1
                for (k, reader) in r.enumerated() { layers[reader.layer].inputs[reader.slot] = copies[k] }
            }
        }
        var result: [NCNNLayer] = []
        for (i, l) in layers.enumerated() { result += [l] + (splitsAfter[i] ?? []) }
        layers = result
        // Number the blobs.
        var names: [String: String] = [input: input, output: outputName]
        var next = 1
        for l in layers {
            for b in l.outputs where names[b] == nil {
                names[b] = String(next)
                next += 1
            }
        }
        for j in layers.indices {
            layers[j].inputs = layers[j].inputs.map { names[$0] ?? $0 }
            layers[j].outputs = layers[j].outputs.map { names[$0] ?? $0 }
        }
        return NCNNModel(layers: layers)
    }
}
