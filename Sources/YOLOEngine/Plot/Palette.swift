import Foundation

/// Plot colours (spec §5).
public enum Palette {
    /// The 20 general colours as RGB triples.
    public static let generalRGB: [(UInt8, UInt8, UInt8)] = [
        "042AFF", "0BDBEB", "F3F3F3", "00DFB7", "111F68", "FF6FDD", "FF444F", "CCED00", "00F344", "BD00FF",
        "00B4FF", "DD00BA", "00FFFF", "26C000", "01FFB3", "7D24FF", "7B0068", "FF1B6C", "FC6D2F", "A2FF0B",
    ].map { h in
        let v = UInt32(h, radix: 16)!
        return (UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }

    /// General colour `i` (mod 20) converted to BGR, as boxes are drawn.
    public static func general(_ i: Int) -> BGR {
        let c = generalRGB[((i % 20) + 20) % 20]
        return BGR(c.2, c.1, c.0)
    }

    /// General colour `i` (mod 20) with its RGB triple written unchanged into the BGR image (keypoints when K ≠ 17).
    public static func generalAsIs(_ i: Int) -> BGR {
        let c = generalRGB[((i % 20) + 20) % 20]
        return BGR(c.0, c.1, c.2)
    }

    /// The pose palette; each triple is written into the BGR image as listed (first value = blue).
    public static let pose: [BGR] = [
        (255, 128, 0), (255, 153, 51), (255, 178, 102), (230, 230, 0), (255, 153, 255), (153, 204, 255),
        (255, 102, 255), (255, 51, 255), (102, 178, 255), (51, 153, 255), (255, 153, 153), (255, 102, 102),
        (255, 51, 51), (153, 255, 153), (102, 255, 102), (51, 255, 51), (0, 255, 0), (0, 0, 255), (255, 0, 0),
        (255, 255, 255),
    ].map { BGR($0.0, $0.1, $0.2) }

    /// Pose-palette index per COCO keypoint.
    public static let keypointColorIndex: [Int] = [16, 16, 16, 16, 16, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9]

    /// COCO skeleton as 0-based keypoint pairs with their pose-palette colour index, in drawing order.
    public static let skeleton: [(a: Int, b: Int, color: Int)] = [
        (16, 14, 9), (14, 12, 9), (17, 15, 9), (15, 13, 9), (12, 13, 7), (6, 12, 7), (7, 13, 7), (6, 7, 0),
        (6, 8, 0), (7, 9, 0), (8, 10, 0), (9, 11, 0), (2, 3, 16), (1, 2, 16), (1, 3, 16), (2, 4, 16),
        (3, 5, 16), (4, 6, 16), (5, 7, 16),
    ].map { (a: $0.0 - 1, b: $0.1 - 1, color: $0.2) }

    /// Box colours (BGR) whose label text is dark (104, 31, 17); every other box colour gets white text.
    public static let darkTextBoxes: Set<BGR> = [
        BGR(0, 237, 204), BGR(11, 255, 162), BGR(68, 243, 0), BGR(179, 255, 1), BGR(183, 223, 0),
        BGR(221, 111, 255), BGR(235, 219, 11), BGR(243, 243, 243), BGR(255, 255, 0),
    ]

    /// Label text colour for a box colour.
    public static func textColor(forBox c: BGR) -> BGR {
        darkTextBoxes.contains(c) ? BGR(104, 31, 17) : BGR(255, 255, 255)
    }
}
