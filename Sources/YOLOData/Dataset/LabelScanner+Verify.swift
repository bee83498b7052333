import CTurboJPEG
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LabelScanner {
    // MARK: Verification

    struct Verified {
        var found = false, missing = false, empty = false, corrupt = false
        var message: String?
        var record: CacheFile.Record?
    }

    /// Checks one image/label pair as a scan does: nil when usable, else the message that marks it corrupt.
    public static func check(image: URL, label: URL, kptShape: [Int], nc: Int) -> String? {
        let v = verify(image: image, label: label, k: kptShape[0], d: kptShape[1], nc: nc, singleCls: false)
        return v.corrupt ? v.message : nil
    }

    static func verify(image: URL, label: URL, k: Int, d: Int, nc: Int, singleCls: Bool) -> Verified {
        var v = Verified()
        let im = image.path
        func corrupt(_ reason: String) -> Verified {
            v.corrupt = true
            v.record = nil
            v.message = "\(im): ignoring corrupt image/label: \(reason)"
            return v
        }
        // Image.
        let shape: (h: Int, w: Int)
        var jpegWarning: String?
        do {
            let info = try imageInfo(image)
            shape = (info.h, info.w)
            if info.truncatedJPEG {
                jpegWarning = "\(im): WARNING ⚠️ corrupt JPEG (no end-of-image marker FFD9); file left unchanged"
            }
        } catch let e as ImageError {
            switch e {
            case .cannotRead(_, let r), .cannotDecode(_, let r), .unsupported(_, let r), .cannotWrite(_, let r):
                return corrupt(r)
            }
        } catch {
            return corrupt("\(error)")
        }
        if shape.h < 10 || shape.w < 10 { return corrupt("image size (\(shape.h), \(shape.w)) <10 pixels") }

        // Label.
        let cols = 5 + k * d
        var rows: [[Float]] = []
        if FileManager.default.fileExists(atPath: label.path) {
            v.found = true
            guard let data = FileManager.default.contents(atPath: label.path) else {
                return corrupt("cannot read \(label.path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            var tokenRows: [[Substring]] = []
            for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                let toks = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{0B}" || $0 == "\u{0C}" })
                if !toks.isEmpty { tokenRows.append(toks) }
            }
            if !tokenRows.isEmpty {
                let counts = Set(tokenRows.map(\.count))
                if counts.count > 1 {
                    return corrupt("setting an array element with a sequence. The requested array has an inhomogeneous "
                                   + "shape after 1 dimensions. The detected shape was (\(tokenRows.count),) + "
                                   + "inhomogeneous part.")
                }
                for toks in tokenRows {
                    var row: [Float] = []
                    row.reserveCapacity(toks.count)
                    for t in toks {
                        // float32 from the decimal text via float64, as numpy does.
                        guard let x = Double(t) else { return corrupt("could not convert string to float: '\(t)'") }
                        row.append(Float(x))
                    }
                    rows.append(row)
                }
                if counts.first! != cols { return corrupt("labels require \(cols) columns each") }
                // Keypoint coordinates must be ≤ 1.01.
                // A NaN makes numpy's max/min NaN, so the reference's comparisons fail and list no value.
                var oob: [Float] = [], nanPoint = false
                for r in rows {
                    for j in 0..<k {
                        for c in 0..<2 {
                            let p = r[5 + j * d + c]
                            if p > Float(1.01) { oob.append(p) } else if p.isNaN { nanPoint = true }
                        }
                    }
                }
                if !oob.isEmpty || nanPoint {
                    return corrupt("non-normalized or out of bounds coordinates \(numpyArray(oob))")
                }
                // Negatives: tolerated only in [-0.01, 0) with all widths and heights ≥ 0.
                let all = rows.lazy.flatMap { $0 }
                if all.contains(where: \.isNaN) {
                    return corrupt("negative label values \(numpyArray(rows.flatMap { $0 }.filter { $0 < 0 }))")
                }
                let minAll = all.min()!
                if minAll < 0 {
                    let whOK = rows.allSatisfy { $0[3] >= 0 && $0[4] >= 0 }
                    if !(minAll >= Float(-0.01) && whOK) {
                        return corrupt("negative label values \(numpyArray(rows.flatMap { $0 }.filter { $0 < 0 }))")
                    }
                }
                let nonInt = rows.map { $0[0] }.filter { !$0.isFinite || $0.rounded(.towardZero) != $0 }
                if !nonInt.isEmpty { return corrupt("non-integer class labels \(numpyArray(nonInt))") }
                if !singleCls {
                    let maxCls = rows.map { $0[0] }.max()!
                    if maxCls >= Float(nc) {
                        // Python's int() of a float32 class: its exact integer value, however large.
                        return corrupt("Label class \(String(format: "%.0f", Double(maxCls))) exceeds dataset class count \(nc). "
                                       + "Possible class labels are 0-\(nc - 1)")
                    }
                }
                // +inf in a box or visibility column passes the reference's checks and poisons the loss; refused here.
                let infinite = rows.flatMap { $0 }.filter { $0.isInfinite }
                if !infinite.isEmpty { return corrupt("non-finite label values \(numpyArray(infinite))") }
                // Duplicates: unique rows in lexicographic order.
                var unique: [[Float]] = []
                for r in rows.sorted(by: { $0.lexicographicallyPrecedes($1) }) where unique.last != r { unique.append(r) }
                if unique.count < rows.count {
                    v.message = "\(im): \(rows.count - unique.count) duplicate labels removed"
                    rows = unique
                }
            } else {
                v.empty = true
            }
        } else {
            v.missing = true
        }
        if let w = jpegWarning { v.message = v.message.map { w + "\n" + $0 } ?? w }
        var rec = CacheFile.Record(file: im, h: shape.h, w: shape.w, cls: [], boxes: [], keypoints: [])
        for r in rows {
            rec.cls.append(r[0])
            rec.boxes.append(contentsOf: r[1..<5])
            for j in 0..<k {
                let x = r[5 + j * d], y = r[5 + j * d + 1]
                let vis: Float = d == 3 ? r[5 + j * d + 2] : ((x < 0 || y < 0) ? 0 : 1)
                rec.keypoints.append(contentsOf: [x, y, vis])
            }
        }
        v.record = rec
        return v
    }

    /// Size after EXIF orientation. JPEGs are checked from their header (and EXIF) only; other formats are decoded.
    static func imageInfo(_ url: URL) throws -> (h: Int, w: Int, truncatedJPEG: Bool) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError.cannotRead(name: url.path, reason: (error as NSError).localizedDescription)
        }
        return try data.withUnsafeBytes { raw -> (h: Int, w: Int, truncatedJPEG: Bool) in
            let b = raw.bindMemory(to: UInt8.self)
            if ImageIO.Format.sniff(b) == .jpeg {
                guard let handle = tjInitDecompress() else {
                    throw ImageError.cannotDecode(name: url.path, reason: "tjInitDecompress failed")
                }
                defer { tjDestroy(handle) }
                var w: Int32 = 0, h: Int32 = 0, ss: Int32 = 0, cs: Int32 = 0
                if tjDecompressHeader3(handle, b.baseAddress, UInt(b.count), &w, &h, &ss, &cs) != 0 {
                    throw ImageError.cannotDecode(name: url.path, reason: JPEGCodec.message(handle))
                }
                let o = EXIF.orientation(jpeg: b)
                let swapped = (5...8).contains(o)
                let truncated = b.count < 2 || b[b.count - 2] != 0xFF || b[b.count - 1] != 0xD9
                return swapped ? (Int(w), Int(h), truncated) : (Int(h), Int(w), truncated)
            }
            guard ImageIO.Format.sniff(b) != nil else {
                throw ImageError.cannotDecode(name: url.path, reason: "cannot identify image file '\(url.path)'")
            }
            let img = try ImageIO.decode(data, name: url.path)
            return (img.height, img.width, false)
        }
    }

    /// numpy's default printing of a 1-D float32 array for the values that occur in label messages (positional
    /// notation, shortest round-trip digits, integer parts right-aligned, fractions left-aligned).
    static func numpyArray(_ values: [Float]) -> String {
        let parts: [(String, String)] = values.map { v in
            var s = "\(v)"
            if s.contains("e") { s = String(format: "%.8f", Double(v)); while s.hasSuffix("0") { s.removeLast() } }
            let p = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let frac = p.count > 1 ? String(p[1]) : ""
            return (String(p[0]), frac == "0" ? "" : frac)
        }
        let il = parts.map(\.0.count).max() ?? 0, fl = parts.map(\.1.count).max() ?? 0
        let items = parts.map { (i, f) in
            String(repeating: " ", count: il - i.count) + i + (i.hasSuffix("inf") || i == "nan" ? "" : ".") + f
                + String(repeating: " ", count: fl - f.count)
        }
        return "[" + items.joined(separator: " ") + "]"
    }
}
