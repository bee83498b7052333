import Foundation

/// Decoded images as NumPy `.npy` files (format 1.0, `|u1`, C order, shape (h, w, 3), BGR): the reference's
/// `cache=disk` files, readable by both.
public enum NpyImage {
    /// The file bytes of `image` (BGR).
    public static func encode(_ image: Image) -> Data {
        let bgr = image.converted(to: .bgr)
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(bgr.height), \(bgr.width), 3), }"
        // Magic (6) + version (2) + length (2) + header, padded with spaces and a newline to a multiple of 64.
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(Data(header.utf8))
        data.append(contentsOf: bgr.pixels)
        return data
    }

    /// Writes atomically (a temporary file renamed into place).
    public static func write(_ image: Image, to url: URL) throws {
        try encode(image).write(to: url, options: .atomic)
    }

    /// The image in a `.npy` file, or nil when the file is not a uint8 (h, w, 3) C-order array of the right size.
    public static func decode(_ data: Data) -> Image? {
        guard data.count > 10, data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else { return nil }
        let major = data[data.startIndex + 6]
        let b = data.startIndex
        let headerLen: Int, start: Int
        switch major {
        case 1:
            headerLen = Int(data[b + 8]) | Int(data[b + 9]) << 8
            start = 10
        case 2, 3:
            guard data.count > 12 else { return nil }
            headerLen = Int(data[b + 8]) | Int(data[b + 9]) << 8 | Int(data[b + 10]) << 16 | Int(data[b + 11]) << 24
            start = 12
        default:
            return nil
        }
        guard data.count >= start + headerLen else { return nil }
        let header = String(decoding: data[(b + start)..<(b + start + headerLen)], as: UTF8.self)
        let compact = header.replacingOccurrences(of: " ", with: "")
        guard compact.contains("'descr':'|u1'") || compact.contains("'descr':'<u1'"),
              compact.contains("'fortran_order':False"),
              let open = compact.range(of: "'shape':("),
              let close = compact[open.upperBound...].firstIndex(of: ")") else { return nil }
        let dims = compact[open.upperBound..<close].split(separator: ",").compactMap { Int($0) }
        guard dims.count == 3, dims[2] == 3, dims[0] > 0, dims[1] > 0 else { return nil }
        let count = dims[0] * dims[1] * 3
        let body = b + start + headerLen
        guard data.count - (body - b) == count else { return nil }
        return Image(width: dims[1], height: dims[0], order: .bgr, pixels: [UInt8](data[body..<(body + count)]))
    }

    public static func read(_ url: URL) -> Image? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { return nil }
        return decode(data)
    }
}
