import YOLOFormats

// The ncnn model pair: `model.ncnn.param` (text) and `model.ncnn.bin` (weights).
//
// Param file: the magic `7767517`, a line `<layer count> <blob count>`, then one line per layer:
// `<type> <name> <input count> <output count> <input blobs…> <output blobs…> <k=v…>` (type and name padded to 24
// columns as PNNX writes them). A value with `.` or `e` is a float; array values are written under key
// `-23300 − id` as `<count>,<v0>,<v1>,…`. Blobs are named by strings; a blob read by several layers must go through
// a `Split` layer first (`NCNNSplitInsertion`). Layers are listed in execution order.
//
// Bin file: each layer's weights in layer order, as the layer's `load_model` reads them. A "tagged" array (e.g.
// Convolution weights) starts with a 4-byte tag — 0 for raw float32, 0x01306B47 for float16 (padded to 4 bytes) —
// while "raw" arrays (biases, MemoryData) are plain float32.

/// A layer parameter value.
enum NCNNParam: Equatable {
    case int(Int)
    case float(Float)
    case ints([Int])
    case floats([Float])
}

/// One weight array of a layer, in the order the layer loads it.
enum NCNNWeight: Equatable {
    /// A tagged array (`ModelBin::load(w, 0)`): float32, or float16 when `half`.
    case tagged([Float], half: Bool)
    /// A raw float32 array (`ModelBin::load(w, 1)`).
    case raw([Float])
}

/// One ncnn layer.
struct NCNNLayer: Equatable {
    var type: String
    var name: String
    var inputs: [String]
    var outputs: [String]
    var params: [(id: Int, value: NCNNParam)] = []
    var weights: [NCNNWeight] = []

    static func == (a: NCNNLayer, b: NCNNLayer) -> Bool {
        a.type == b.type && a.name == b.name && a.inputs == b.inputs && a.outputs == b.outputs
            && a.params.map(\.id) == b.params.map(\.id) && a.params.map(\.value) == b.params.map(\.value)
            && a.weights == b.weights
    }
}

/// A whole ncnn model.
struct NCNNModel: Equatable {
    var layers: [NCNNLayer] = []

    /// ncnn's param-file magic number.
    static let magic = 7767517
    /// The float16 array tag of `model.ncnn.bin`.
    static let float16Tag: UInt32 = 0x0130_6B47

    /// Number of distinct blobs (each is produced by exactly one layer).
    var blobCount: Int { Set(layers.flatMap(\.outputs)).count }

    /// Layer count per type.
    var typeHistogram: [String: Int] { layers.reduce(into: [:]) { $0[$1.type, default: 0] += 1 } }

    /// `model.ncnn.param`.
    var paramText: String {
        var out = "\(Self.magic)\n\(layers.count) \(blobCount)\n"
        for l in layers {
            var line = Self.padded(l.type) + " " + Self.padded(l.name) + " \(l.inputs.count) \(l.outputs.count)"
            for b in l.inputs + l.outputs { line += " " + b }
            let params = l.params.map { p -> (String, String) in
                switch p.value {
                case .int(let v): return (String(p.id), String(v))
                case .float(let v): return (String(p.id), Self.float(v))
                case .ints(let v): return (String(-23300 - p.id), ([v.count] + v).map(String.init).joined(separator: ","))
                case .floats(let v): return (String(-23300 - p.id), ([String(v.count)] + v.map(Self.float)).joined(separator: ","))
                }
            }
            for (k, v) in params.sorted(by: { $0.0 < $1.0 }) { line += " \(k)=\(v)" }
            out += line + "\n"
        }
        return out
    }

    /// `model.ncnn.bin`.
    var binBytes: [UInt8] {
        var out: [UInt8] = []
        func append(_ u: UInt32) { withUnsafeBytes(of: u.littleEndian) { out += $0 } }
        func append(_ values: [Float]) { values.withUnsafeBytes { out += $0 } }
        for l in layers {
            for w in l.weights {
                switch w {
                case .tagged(let v, half: false):
                    append(UInt32(0))
                    append(v)
                case .tagged(let v, half: true):
                    append(Self.float16Tag)
                    let bits = v.map(HalfConversion.halfBits(from:))
                    bits.withUnsafeBytes { out += $0 }
                    if bits.count % 2 == 1 { out += [0, 0] }
                case .raw(let v):
                    append(v)
                }
            }
        }
        return out
    }

    /// Left-justified in 24 columns (longer strings are kept whole).
    private static func padded(_ s: String) -> String {
        s.count >= 24 ? s : s + String(repeating: " ", count: 24 - s.count)
    }

    /// A float as ncnn parses it back exactly (always with `.` or `e`).
    static func float(_ f: Float) -> String {
        let s = "\(f)"
        return s.contains(".") || s.contains("e") ? s : s + ".0"
    }
}
