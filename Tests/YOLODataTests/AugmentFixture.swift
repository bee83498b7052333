import Foundation
import XCTest
import YOLOFormats
@testable import YOLOData
import YOLOTestSupport

/// Tests/Fixtures/augment/pipelines.json (Scripts/reference/make_augment_fixtures.py).
struct AugmentReference: Decodable {
    struct Stage: Decodable {
        let stage: String
        let shape: [Int]
        let crc: String
        let format: String?
        let normalized: Bool?
        let n: Int?
        let boxes: String?
        let keypoints: String?
        let cls: [Int]?
        let same_labels: Bool?
    }
    struct Sample: Decodable {
        let index: Int
        let buffer: [Int]
        let py: [[Draw]]
        let np: [[Draw]]
        let stages: [Stage]
        let img_shape: [Int]
        let img_crc: String
        let row_crc: [String]
        let cls: [Int]
        let bboxes: String
        let keypoints: String
        let n: Int
        let im_file: String
        let ori_shape: [Int]
        let resized_shape: [Int]
        let ratio_pad: [Double]
    }
    struct Config: Decodable {
        let name: String
        let dataset: String
        let imgsz: Int
        let batch: Int
        let cache: String
        let rect: Bool
        let hyp: [String: Double]
        let kpt_shape: [Int]
        let flip_idx: [Int]
        let files: [String]
        let buffer_capacity: Int
        let rect_shapes: [[Int]]?
        let samples: [Sample]
    }
    let configs: [Config]

    static let shared: AugmentReference = {
        try! JSONDecoder().decode(AugmentReference.self, from: Data(contentsOf: Fixtures.url("augment/pipelines.json")))
    }()
}

/// A JSON scalar of a recorded draw: a kind name or a number.
enum Draw: Decodable {
    case name(String)
    case number(Double)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .name(s) } else { self = .number(try c.decode(Double.self)) }
    }
    var string: String? { if case .name(let s) = self { return s }; return nil }
    var double: Double { if case .number(let d) = self { return d }; return .nan }
    var int: Int { Int(double) }
}

/// Tests/Fixtures/augment/kernels.json.
struct KernelReference: Decodable {
    struct Warp: Decodable {
        let file: String
        let imgsz: Int
        let src_shape: [Int]
        let size: [Int]
        let perspective: Bool
        let matrix: String
        let crc: String
    }
    struct HSV: Decodable {
        let file: String
        let imgsz: Int
        let gains: [Double]
        let shape: [Int]
        let crc: String
    }
    let warps: [Warp]
    let hsv: [HSV]
}

/// Replays the reference's recorded draws. Each call takes the next value of its stream and checks that the call
/// is the one the reference made at that point (kind and range); mismatches are collected in `problems`.
struct RecordedAugmentRandom: AugmentRandom {
    var py: [[Draw]]
    var np: [[Draw]]
    var problems: [String] = []

    init(py: [[Draw]], np: [[Draw]]) {
        self.py = py
        self.np = np
    }

    private mutating func take(_ kind: String, numpy: Bool, _ args: [Double]) -> [Draw]? {
        if numpy ? np.isEmpty : py.isEmpty {
            problems.append("\(kind)\(args): no recorded draw left")
            return nil
        }
        let d = numpy ? np.removeFirst() : py.removeFirst()
        guard d.first?.string == kind else {
            problems.append("\(kind)\(args): the reference drew \(d.map { $0.string ?? String($0.double) })")
            return nil
        }
        for (i, a) in args.enumerated() where d[1 + i].double != a {
            problems.append("\(kind)\(args): the reference's arguments were \(d.dropFirst().map(\.double))")
            break
        }
        return d
    }

    var exhausted: Bool { py.isEmpty && np.isEmpty }

    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { take("uniform", numpy: false, [lo, hi])?[3].double ?? lo }
    mutating func random() -> Double { take("random", numpy: false, [])?[1].double ?? 0.5 }
    mutating func choice(_ count: Int) -> Int { take("choice", numpy: false, [Double(count)])?[2].int ?? 0 }
    mutating func randint(_ count: Int) -> Int { take("randint", numpy: false, [0, Double(count - 1)])?[3].int ?? 0 }
    mutating func npUniform(_ lo: Double, _ hi: Double) -> Double { take("npUniform", numpy: true, [lo, hi])?[3].double ?? 0 }
    mutating func npBeta(_ a: Double, _ b: Double) -> Double { take("npBeta", numpy: true, [a, b])?[3].double ?? 0.5 }
    mutating func npRandint(_ count: Int) -> Int { take("npRandint", numpy: true, [Double(count)])?[2].int ?? 0 }
    mutating func npChoice(_ count: Int) -> Int { take("npChoice", numpy: true, [Double(count)])?[2].int ?? 0 }
}

/// Float32 values from base64 little-endian bytes.
func decodeF32(_ b64: String) -> [Float] {
    let data = Data(base64Encoded: b64)!
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

/// zlib CRC-32 as 8 hex digits.
func crc32Hex(_ bytes: [UInt8]) -> String {
    var c = CRC32()
    bytes.withUnsafeBytes { c.update($0) }
    let s = String(c.value, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}

/// The coco8-pose train + val images (sorted, the fixture's "images/all" order), scanned without writing into the
/// shared dataset; with `keypoints: 5` only the first five keypoints of every object are kept.
func augmentScan(_ test: XCTestCase, keypoints: Int = 17) throws -> DatasetScan {
    let coco = Fixtures.coco8Pose.standardizedFileURL
    var scan = try LabelScanner.scan(imageDirOrList: ["images/train", "images/val"].map { coco.appendingPathComponent($0).path },
                                     kptShape: [17, 3], nc: 1, fallbackCacheDirectory: try makeTempDir(test), log: { _ in })
    if keypoints != 17 {
        for i in scan.images.indices {
            scan.images[i].labels = scan.images[i].labels.map {
                PoseLabel(cls: $0.cls, box: $0.box, keypoints: Array($0.keypoints.prefix(keypoints)))
            }
        }
    }
    return scan
}

/// Loads dataset images as the reference's train dataset does (long side = imgsz), memoised.
final class ReferenceImageLoader {
    let scan: DatasetScan
    let imgsz: Int
    private var cache: [Int: Image] = [:]

    init(scan: DatasetScan, imgsz: Int) {
        self.scan = scan
        self.imgsz = imgsz
    }

    func load(_ i: Int) throws -> Image {
        if let img = cache[i] { return img }
        let raw = try ImageIO.read(scan.images[i].url, order: .bgr)
        let sh = loadedImageShape(h0: raw.height, w0: raw.width, imgsz: imgsz)
        let img = sh.h == raw.height && sh.w == raw.width ? raw : raw.resized(width: sh.w, height: sh.h)
        cache[i] = img
        return img
    }
}
