import Foundation

/// Byte order of the three channels of an interleaved pixel.
public enum ChannelOrder: Sendable, Equatable {
    case bgr
    case rgb
}

/// An 8-bit image, height × width × 3, interleaved, in the given channel order.
public struct Image: Sendable {
    public var width: Int
    public var height: Int
    public var order: ChannelOrder
    /// Row-major `height * width * 3` bytes, no row padding.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, order: ChannelOrder = .bgr, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "Image: negative size \(width)×\(height)")
        precondition(pixels.count == width * height * 3,
                     "Image: \(pixels.count) bytes for \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.order = order
        self.pixels = pixels
    }

    /// An image filled with one value in every channel.
    public init(width: Int, height: Int, order: ChannelOrder = .bgr, repeating value: UInt8) {
        self.init(width: width, height: height, order: order,
                  pixels: [UInt8](repeating: value, count: width * height * 3))
    }

    /// Shape as (height, width, channels), like a numpy array from `cv2.imread`.
    public var shape: [Int] { [height, width, 3] }

    /// The same image with its channels in `order` (swaps the first and third byte of each pixel if needed).
    public func converted(to order: ChannelOrder) -> Image {
        if order == self.order { return self }
        var out = self
        out.order = order
        out.pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            let n = p.count
            while i < n {
                let t = p[i]
                p[i] = p[i + 2]
                p[i + 2] = t
                i += 3
            }
        }
        return out
    }

    /// Applies an EXIF orientation (tag 0x0112, values 1–8) so the result is upright, as OpenCV's `imread` does.
    /// Values outside 2…8 return the image unchanged.
    public func applyingEXIFOrientation(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation), width > 0, height > 0 else { return self }
        let w = width, h = height
        let swapped = orientation >= 5
        let ow = swapped ? h : w, oh = swapped ? w : h
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        // Source pixel shown at output position (ox, oy).
                        let sx: Int, sy: Int
                        switch orientation {
                        case 2: sx = w - 1 - ox; sy = oy                 // mirrored horizontally
                        case 3: sx = w - 1 - ox; sy = h - 1 - oy         // rotated 180°
                        case 4: sx = ox; sy = h - 1 - oy                 // mirrored vertically
                        case 5: sx = oy; sy = ox                         // transposed
                        case 6: sx = oy; sy = h - 1 - ox                 // needs 90° clockwise
                        case 7: sx = w - 1 - oy; sy = h - 1 - ox         // transverse
                        default: sx = w - 1 - oy; sy = ox                // 8: needs 90° counter-clockwise
                        }
                        let s = (sy * w + sx) * 3, d = (oy * ow + ox) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return Image(width: ow, height: oh, order: order, pixels: out)
    }
}

/// Errors from reading, decoding and writing images. Each message is one line and names the file.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read (missing, permissions, a directory …).
    case cannotRead(name: String, reason: String)
    /// The bytes are not a decodable image of a supported format.
    case cannotDecode(name: String, reason: String)
    /// A recognised format in a variant this reader does not handle (e.g. RLE BMP).
    case unsupported(name: String, reason: String)
    /// Encoding or writing failed.
    case cannotWrite(name: String, reason: String)

    public var name: String {
        switch self {
        case .cannotRead(let n, _), .cannotDecode(let n, _), .unsupported(let n, _), .cannotWrite(let n, _): return n
        }
    }

    public var description: String {
        switch self {
        case .cannotRead(let n, let r): return "\(n): cannot read file (\(r))"
        case .cannotDecode(let n, let r): return "\(n): cannot decode image (\(r))"
        case .unsupported(let n, let r): return "\(n): unsupported image (\(r))"
        case .cannotWrite(let n, let r): return "\(n): cannot write image (\(r))"
        }
    }
}

extension ImageError: LocalizedError {
    public var errorDescription: String? { description }
}
