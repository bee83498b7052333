import Foundation
import YOLOData
import YOLOTestSupport

/// FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) as 16 hex digits, as in make_image_fixtures.py.
func fnv1a64(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBufferPointer { p in
        for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    }
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// Tests/Fixtures/images/reference.json (made by Scripts/reference/make_image_fixtures.py).
struct ImageReference: Decodable {
    struct Pad: Decodable { let top, bottom, left, right: Int }
    struct Letterboxed: Decodable {
        let name: String
        let shape: [Int]
        let ratio: Double
        let new_size: [Int]
        let pad: Pad
        let fnv1a64: String
    }
    struct Target: Decodable { let name: String; let target: [Int]; let auto: Bool; let stride: Int }
    struct Coco: Decodable { let file: String; let shape: [Int]; let fnv1a64: String; let letterbox: [Letterboxed] }
    struct Synthetic: Decodable {
        let file: String
        let note: String
        let decodes: Bool
        let shape: [Int]?
        let fnv1a64: String?
    }
    struct Resize: Decodable { let source: String; let width: Int; let height: Int; let fnv1a64: String }
    let letterbox_targets: [Target]
    let coco8: [Coco]
    let synthetic: [Synthetic]
    let resize: [Resize]

    static let shared: ImageReference = {
        let data = try! Data(contentsOf: Fixtures.url("images/reference.json"))
        return try! JSONDecoder().decode(ImageReference.self, from: data)
    }()
}

func cocoURL(_ file: String) -> URL { Fixtures.coco8Pose.appendingPathComponent("images/\(file)") }
