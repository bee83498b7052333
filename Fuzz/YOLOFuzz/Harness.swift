import Foundation
import YOLOCLI
import YOLOData
import YOLOEngine
import YOLOFormats
import YOLOModel

/// One parser fed with arbitrary bytes. Errors are the expected outcome; crashes, hangs and runaway memory are the
/// bugs the fuzzer looks for.
struct Harness {
    let name: String
    let run: (Data) -> Void

    /// Every harness, by the name given in `YOLO_FUZZ_TARGET` or on the replay command line.
    static let all: [Harness] = [
        Harness(name: "zip") { data in
            // Zip reader, pickle VM and tensor materialization of a torch.save archive.
            _ = try? TorchFile.load(data: data, url: URL(fileURLWithPath: "fuzz.pt"))
        },
        Harness(name: "pickle") { data in
            _ = try? Pickle.decode(data, name: "fuzz.pkl")
        },
        Harness(name: "checkpoint") { data in
            // The checkpoint layer above the torch file: metadata, EMA choice, state dict, the model YAML inside.
            guard let file = try? TorchFile.load(data: data, url: URL(fileURLWithPath: "fuzz.pt")),
                  let ckpt = try? UltralyticsCheckpoint(torchFile: file), let yaml = ckpt.yaml else { return }
            _ = try? ModelConfig(node: ConfigNode(pickle: yaml), source: "fuzz.pt")
        },
        Harness(name: "safetensors") { data in
            _ = try? Safetensors.read(data: data, name: "fuzz.safetensors")
        },
        Harness(name: "model-yaml") { data in
            guard let node = try? ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self)) else { return }
            _ = try? ModelConfig(node: node, source: "fuzz.yaml")
        },
        Harness(name: "data-yaml") { data in
            _ = try? DataConfig.parse(yaml: String(decoding: data, as: UTF8.self),
                                      url: URL(fileURLWithPath: "/nonexistent/fuzz/data.yaml"))
        },
        Harness(name: "labels") { data in
            // A label file beside a fixed 16×16 image, checked as a dataset scan checks it.
            try? data.write(to: Scratch.label)
            _ = LabelScanner.check(image: Scratch.image, label: Scratch.label, kptShape: [5, 3], nc: 3)
        },
        Harness(name: "image") { data in
            // JPEG, PNG, BMP and WebP decoding; headers above 4 Mpixel are refused up front so the fuzzer's memory
            // limit measures the decoders, not the legitimate allocation of a large image.
            ImageIO.maxPixels = 1 << 22
            _ = try? ImageIO.decode(data, name: "fuzz")
        },
        Harness(name: "cli") { data in
            // NUL-separated arguments through the grammar and the type/range checks.
            let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard case .run(let parsed)? = try? CLIParser.parse(argv, warn: { _ in }) else { return }
            _ = try? CLIConfig.resolve(parsed, warn: { _ in })
        },
    ]

    static func named(_ name: String) -> Harness? { all.first { $0.name == name } }
}

/// Files the label harness rewrites per input (one set per process).
enum Scratch {
    static let folder: URL = {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("yolo-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: dir.appendingPathComponent("images"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(at: dir.appendingPathComponent("labels"), withIntermediateDirectories: true)
        return dir
    }()
    static let image: URL = {
        let url = folder.appendingPathComponent("images/a.jpg")
        let pixels = [UInt8](repeating: 128, count: 16 * 16 * 3)
        try? ImageIO.writeJPEG(Image(width: 16, height: 16, order: .bgr, pixels: pixels), to: url)
        return url
    }()
    static let label = folder.appendingPathComponent("labels/a.txt")
}
