import Foundation
import YOLOData

extension Results {
    /// The crop rectangle of detection `i` as half-open pixel ranges (spec §4.3): the box widened to w·1.02 + 10,
    /// h·1.02 + 10 around its centre, truncated to integers, clipped to the image. Empty when nothing remains.
    public func cropRect(_ i: Int) -> (x1: Int, y1: Int, x2: Int, y2: Int) {
        let b = boxes.xyxy[i]
        let cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2
        let w = (b[2] - b[0]) * 1.02 + 10, h = (b[3] - b[1]) * 1.02 + 10
        func trunc(_ v: Float) -> Int { Int(v.rounded(.towardZero)) }
        let W = origShape.width, H = origShape.height
        return (min(max(trunc(cx - w / 2), 0), W), min(max(trunc(cy - h / 2), 0), H),
                min(max(trunc(cx + w / 2), 0), W), min(max(trunc(cy + h / 2), 0), H))
    }

    /// Writes one crop per detection (in detection order) to `<dir>/<class name>/<fileStem>.jpg`, JPEG quality 95
    /// without chroma subsampling; an existing file makes `<fileStem>-2.jpg`, `-3`, …. Returns the written files.
    @discardableResult
    public func saveCrops(from image: Image, to dir: URL, fileStem: String) throws -> [URL] {
        let img = image.converted(to: .bgr)
        var written: [URL] = []
        let fm = FileManager.default
        for i in 0..<count {
            let r = cropRect(i)
            guard r.x2 > r.x1, r.y2 > r.y1 else { continue }
            var pixels = [UInt8]()
            pixels.reserveCapacity((r.x2 - r.x1) * (r.y2 - r.y1) * 3)
            for y in r.y1..<r.y2 {
                let row = (y * img.width + r.x1) * 3
                pixels.append(contentsOf: img.pixels[row..<row + (r.x2 - r.x1) * 3])
            }
            let crop = Image(width: r.x2 - r.x1, height: r.y2 - r.y1, order: .bgr, pixels: pixels)
            let folder = dir.appendingPathComponent(names[boxes.cls[i]] ?? String(boxes.cls[i]), isDirectory: true)
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            var url = folder.appendingPathComponent("\(fileStem).jpg")
            var n = 2
            while fm.fileExists(atPath: url.path) {
                url = folder.appendingPathComponent("\(fileStem)-\(n).jpg")
                n += 1
            }
            try ImageIO.writeJPEG(crop, to: url, quality: 95, subsampling: .s444)
            written.append(url)
        }
        return written
    }
}
