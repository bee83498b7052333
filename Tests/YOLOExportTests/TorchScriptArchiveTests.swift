import Foundation
import XCTest
@testable import YOLOExport
@testable import YOLOFormats
import YOLOModel
import YOLOTestSupport

/// The TorchScript archive without torch: its entries, its pickles read back by our pickle machine, the classes its
/// code defines and references, and the metadata JSON against what the reference wrote for the same checkpoints
/// (Tests/Fixtures/torchscript/reference.json, made by Scripts/reference/make_torchscript_fixtures.py).
final class TorchScriptArchiveTests: XCTestCase {
    private struct Reference: Decodable {
        struct Args: Decodable {
            let imgsz: Int?, batch: Int?, dynamic: Bool?, nms: Bool?
        }
        let args: Args
        let config: String
        let version: String
        let parameters: [String]?
        let output: [Int]
    }

    private static let reference: [String: [String: Reference]] = {
        let data = try! Data(contentsOf: Fixtures.url("torchscript/reference.json"))
        return try! JSONDecoder().decode([String: [String: Reference]].self, from: data)
    }()

    private func network(_ name: String) throws -> YOLONetwork { try YOLONetwork.load(Fixtures.path(name)) }

    /// The archive as a zip in memory, read back with our zip reader.
    private func zip(_ archive: TorchScriptArchive, name: String = "tiny") throws -> ZipArchive {
        try ZipArchive(data: archive.encoded(archiveName: name), fileName: "\(name).torchscript")
    }

    private func text(_ zip: ZipArchive, _ name: String) throws -> String {
        String(decoding: try zip.payload(of: XCTUnwrap(zip.entry(named: name), name)), as: UTF8.self)
    }

    func testEntriesAndRecords() throws {
        let archive = try TorchScriptWriter.archive(network: network("tiny-k5-pose.pt"), options: .init(imgsz: [640]))
        let z = try zip(archive)
        let names = z.entries.map(\.name)
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix("tiny/") }, "one root folder")
        XCTAssertEqual(names.first, "tiny/extra/config.txt")
        for required in ["data.pkl", "constants.pkl", "version", "byteorder", ".data/serialization_id",
                         "code/__torch__/ultralytics/nn/tasks.py", "code/__torch__/ultralytics/nn/modules/head.py",
                         "constants/0", "constants/1", "data/0"] {
            XCTAssertNotNil(z.entry(named: "tiny/\(required)"), required)
        }
        XCTAssertEqual(try text(z, "tiny/version"), Self.reference["tiny-k5-pose.pt"]!["default"]!.version)
        XCTAssertEqual(try text(z, "tiny/byteorder"), "little")
        for entry in z.entries {
            XCTAssertEqual(entry.method, 0, "\(entry.name) stored")
            XCTAssertEqual(try z.payloadRange(of: entry).lowerBound % 64, 0, "\(entry.name) aligned")
            if entry.name.contains("/code/") { XCTAssertTrue(entry.name.hasSuffix(".py"), entry.name) }
        }
        // 64 fused Conv2d (weight + bias) and the DFL weight, as the reference's file.
        XCTAssertEqual(names.filter { $0.hasPrefix("tiny/data/") }.count,
                       Self.reference["tiny-k5-pose.pt"]!["default"]!.parameters!.count)
    }

    /// data.pkl decodes to the module tree, whose parameters are the reference file's `named_parameters()` in order
    /// (names and shapes), holding the fused weights.
    func testDataPickleIsTheModuleTree() throws {
        let net = try network("tiny-k5-pose.pt")
        let data = try TorchScriptWriter.archive(network: net, options: .init(imgsz: [640])).encoded(archiveName: "tiny")
        let file = try TorchFile.load(data: data, url: URL(fileURLWithPath: "tiny.torchscript"))
        let root = try XCTUnwrap(file.root.objectValue)
        XCTAssertEqual(root.qualifiedName, "__torch__.ultralytics.nn.tasks.PoseModel")
        XCTAssertEqual(root["training"]?.boolValue, false)

        var parameters: [(String, StoredTensor)] = []
        func walk(_ object: PickleObject, _ prefix: String) {
            for (key, value) in object.attributes {
                guard let name = key.stringValue else { continue }
                if let t = value.tensorValue { parameters.append((prefix + name, t)) }
                if let child = value.objectValue { walk(child, prefix + name + ".") }
            }
        }
        walk(root, "")
        XCTAssertEqual(parameters.map { "\($0.0) [\($0.1.shape.map(String.init).joined(separator: ", "))]" },
                       Self.reference["tiny-k5-pose.pt"]!["default"]!.parameters)
        let first = try XCTUnwrap(net.model.items[0] as? ConvBlock)
        let (w, b) = TorchScriptEmitter.fusedWeights(first.conv, first.bn)
        XCTAssertEqual(parameters[0].1, w)
        XCTAssertEqual(parameters[1].1, b)
        XCTAssertEqual(parameters.first { $0.0 == "model.22.dfl.conv.weight" }?.1.floats(), (0..<16).map(Float.init))
    }

    /// Every `__torch__` class named in data.pkl or in the code is defined, once, in the file its module path names.
    func testEveryReferencedClassIsDefined() throws {
        for options in [TorchScriptExportOptions(imgsz: [640]), .init(imgsz: [640], dynamic: true, nms: true)] {
            let z = try zip(TorchScriptWriter.archive(network: network("tiny-k5-pose.pt"), options: options))
            var defined: Set<String> = []
            var referenced: Set<String> = []
            let typeName = try NSRegularExpression(pattern: "__torch__(\\.[A-Za-z_0-9]+)+")
            for entry in z.entries where entry.name.hasSuffix(".py") {
                let module = entry.name.dropFirst("tiny/code/".count).dropLast(3).replacingOccurrences(of: "/", with: ".")
                let source = try text(z, entry.name)
                for line in source.split(separator: "\n") where line.hasPrefix("class ") {
                    let name = line.dropFirst(6).prefix { $0 != "(" }
                    XCTAssertTrue(defined.insert("\(module).\(name)").inserted, "\(module).\(name) defined twice")
                }
                let range = NSRange(source.startIndex..., in: source)
                for m in typeName.matches(in: source, range: range) { referenced.insert(String(source[Range(m.range, in: source)!])) }
            }
            let pickle = try z.payload(of: XCTUnwrap(z.entry(named: "tiny/data.pkl")))
            // GLOBAL opcodes: "c<module>\n<name>\n".
            for line in String(decoding: pickle, as: UTF8.self).components(separatedBy: "c__torch__.").dropFirst() {
                let parts = line.split(separator: "\n", maxSplits: 2)
                referenced.insert("__torch__.\(parts[0]).\(parts[1])")
            }
            XCTAssertTrue(referenced.contains("__torch__.ultralytics.nn.tasks.PoseModel"))
            XCTAssertEqual(referenced.subtracting(defined), [], "referenced but not defined")
            XCTAssertEqual(defined.subtracting(referenced), [], "defined but unused")
        }
    }

    /// constants.pkl: the anchor grid and strides of a static export; nothing for a dynamic one.
    func testConstantTable() throws {
        let net = try network("tiny-k5-pose.pt")
        for (dynamic, count) in [(false, 2), (true, 0)] {
            let archive = try TorchScriptWriter.archive(network: net, options: .init(imgsz: [320, 480], dynamic: dynamic))
            let records = Dictionary(uniqueKeysWithValues: archive.records.map { ($0.name, $0.payload) })
            var machine = PickleMachine(bytes: [UInt8](try XCTUnwrap(records["constants.pkl"])), fileName: "constants.pkl") {
                try TorchFile.storageReference($0, fileName: "constants.pkl")
            }
            var builder = PickleTreeBuilder(fileName: "constants.pkl") { box, _ in
                StoredTensor(shape: box.size, dtype: box.storage.dtype, bytes: records["constants/\(box.storage.key)"]!)
            }
            guard case .tuple(let items) = try builder.convert(machine.run(), path: "") else { return XCTFail("not a tuple") }
            XCTAssertEqual(items.count, count)
            guard count == 2 else { continue }
            let anchors = try XCTUnwrap(items[0].tensorValue), strides = try XCTUnwrap(items[1].tensorValue)
            let a = 40 * 60 + 20 * 30 + 10 * 15
            XCTAssertEqual(anchors.shape, [2, a])
            XCTAssertEqual(strides.shape, [1, a])
            let xy = anchors.floats(), s = strides.floats()
            XCTAssertEqual([xy[0], xy[1], xy[60], xy[a], xy[a + 60]], [0.5, 1.5, 0.5, 0.5, 1.5])
            XCTAssertEqual([s[0], s[2399], s[2400], s[a - 1]], [8, 8, 16, 32])
        }
    }

    /// config.txt is the reference's JSON text for the same export, byte for byte apart from the date.
    func testConfigMatchesTheReference() throws {
        for (checkpoint, variants) in Self.reference {
            let net = try network(checkpoint)
            let kptNames = TorchScriptMetadata.kptNames(in: try UltralyticsCheckpoint(contentsOf: Fixtures.url(checkpoint)))
            for (variant, ref) in variants {
                let imgsz = ref.args.imgsz ?? (net.args["imgsz"]?.int ?? 640)
                let options = TorchScriptExportOptions(imgsz: [imgsz], batch: ref.args.batch ?? 1,
                                                       dynamic: ref.args.dynamic ?? false, nms: ref.args.nms)
                let archive = try TorchScriptWriter.archive(network: net, options: options,
                                                            metadata: TorchScriptMetadata(network: net, options: options, kptNames: kptNames))
                let config = String(decoding: archive.records[0].payload, as: UTF8.self)
                let date = try NSRegularExpression(pattern: "\"date\": \"[^\"]*\"")
                func undated(_ s: String) -> String {
                    date.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "\"date\": \"<date>\"")
                }
                XCTAssertEqual(undated(config), undated(ref.config), "\(checkpoint) \(variant)")
                let anchors = net.stride.reduce(0) { $0 + (imgsz / Int($1)) * (imgsz / Int($1)) }
                XCTAssertEqual(ref.output, options.nms == true ? [1, 300, 6 + net.head.keypointValues]
                                                               : [1, net.head.outputChannels, anchors], "\(checkpoint) \(variant)")
                XCTAssertNotNil(config.range(of: "\"date\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d\"",
                                             options: .regularExpression), config)
            }
        }
    }

    func testJSONEscapingAndNumbers() {
        let m = TorchScriptMetadata(entries: [.init("s", .string("a\"b\\c\nd\u{7f}é😀")), .init("f", .list([.float(1), .float(1e-5), .float(1e16)])),
                                               .init("n", TorchScriptMetadata.object([.init("0", .none), .init("1", .bool(true))]))])
        XCTAssertEqual(m.json, #"{"s": "a\"b\\c\nd\u007f\u00e9\ud83d\ude00", "f": [1.0, 1e-05, 1e+16], "n": {"0": null, "1": true}}"#)
    }

    func testUnsupportedOptionsAreErrorsNamingTheFile() throws {
        let net = try network("tiny-k5-pose.pt")
        func error(_ options: TorchScriptExportOptions) -> TorchScriptExportError? {
            do { _ = try TorchScriptWriter.archive(network: net, options: options, file: "tiny.torchscript"); return nil }
            catch { return error as? TorchScriptExportError }
        }
        XCTAssertEqual(error(.init(imgsz: [640], quantize: "16")), .fp16RequiresGPU(file: "tiny.torchscript"))
        XCTAssertEqual(error(.init(imgsz: [640], quantize: "16"))?.description,
                       "tiny.torchscript: FP16 TorchScript export is only supported on GPU, i.e. use device=0.")
        XCTAssertEqual(error(.init(imgsz: [640], quantize: "8")), .unsupportedQuantize(file: "tiny.torchscript", value: "8"))
        XCTAssertNil(error(.init(imgsz: [640], quantize: "32")))
        XCTAssertEqual(error(.init(imgsz: [300])), .imageSizeNotMultipleOfStride(file: "tiny.torchscript", height: 300, width: 300, stride: 32))
        XCTAssertEqual(error(.init(imgsz: [640], batch: 0)), .invalidBatch(file: "tiny.torchscript", batch: 0))
        XCTAssertEqual(error(.init(imgsz: [640], nms: true, maxDet: 0)), .invalidMaxDet(file: "tiny.torchscript", maxDet: 0))
    }

    /// `<stem>.torchscript` beside the weights, replaced atomically (no temporary file left), root folder = stem.
    func testWritesBesideTheWeights() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tsarchive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = TorchScriptWriter.outputURL(forWeights: dir.appendingPathComponent("best.pt"))
        XCTAssertEqual(url.lastPathComponent, "best.torchscript")
        try Data("old".utf8).write(to: url)
        try TorchScriptWriter.write(network: network("tiny-k12d2-pose.pt"), imgsz: (320, 320), to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["best.torchscript"])
        let z = try ZipArchive(data: Data(contentsOf: url), fileName: "best.torchscript")
        XCTAssertTrue(z.entries.allSatisfy { $0.name.hasPrefix("best/") })
        XCTAssertTrue(try text(z, "best/extra/config.txt").contains("\"imgsz\": [320, 320]"))
    }

    /// A trained YOLOv8n-pose, loaded from its checkpoint and exported: the reference's parameter list, fp32
    /// weights (about twice the fp16 checkpoint). Prints the time of load + export + write.
    func testTrainedModelExport() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tsarchive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t0 = Date()
        let net = try network("overfit-n-pose.pt")
        let url = dir.appendingPathComponent("overfit-n-pose.torchscript")
        try TorchScriptWriter.write(network: net, imgsz: (416, 416), to: url)
        print(String(format: "TorchScriptArchiveTests: overfit-n-pose.pt loaded and exported in %.3f s", Date().timeIntervalSince(t0)))
        let file = try TorchFile.load(url)
        var count = 0
        func walk(_ object: PickleObject) {
            for (_, value) in object.attributes {
                if value.tensorValue != nil { count += 1 }
                if let child = value.objectValue { walk(child) }
            }
        }
        walk(try XCTUnwrap(file.root.objectValue))
        XCTAssertEqual(count, Self.reference["overfit-n-pose.pt"]!["default"]!.parameters!.count)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        XCTAssertGreaterThan(size, 4 * 3_289_964)
        XCTAssertLessThan(size, 4 * 3_289_964 + 400_000)
    }
}
