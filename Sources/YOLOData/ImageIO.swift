import CTurboJPEG
import Foundation

/// Reading and writing images. Decoding matches `cv2.imread(path, cv2.IMREAD_COLOR)`: three 8-bit channels,
/// alpha dropped, grey replicated, 16-bit reduced to the high byte, EXIF orientation of JPEGs applied.
public enum ImageIO {
    /// Reads and decodes an image file. The format is recognised from its first bytes, not its extension.
    public static func read(_ url: URL, order: ChannelOrder = .bgr) throws -> Image {
        let name = url.isFileURL ? url.relativePath : url.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            let reason = (error as NSError).localizedFailureReason
                ?? ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
                ?? "no such file or not readable"
            throw ImageError.cannotRead(name: name, reason: reason)
        }
        return try decode(data, name: name, order: order)
    }

    /// Decodes an encoded image (JPEG, PNG, BMP or WebP). `name` is used in error messages.
    public static func decode(_ data: Data, name: String, order: ChannelOrder = .bgr) throws -> Image {
        guard !data.isEmpty else { throw ImageError.cannotDecode(name: name, reason: "empty file") }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Image in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch Format.sniff(bytes) {
            case .jpeg:
                let image = try JPEGCodec.decode(bytes, name: name, order: order)
                let orientation = EXIF.orientation(jpeg: bytes)
                return image.applyingEXIFOrientation(orientation)
            case .png:
                return try PNGCodec.decode(bytes, name: name, order: order)
            case .bmp:
                return try BMPCodec.decode(bytes, name: name, order: order)
            case .webp:
                return try WebPCodec.decode(bytes, name: name, order: order)
            case nil:
                let head = bytes.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
                throw ImageError.cannotDecode(name: name, reason: "unknown format: starts with \(head)")
            }
        }
    }

    /// Writes a baseline JPEG (libjpeg-turbo; 4:2:0 chroma subsampling by default, like `cv2.imwrite`; 4:4:4
    /// like PIL's `subsampling=0`). The file is written to a temporary name and renamed into place.
    public static func writeJPEG(_ image: Image, to url: URL, quality: Int = 95,
                                 subsampling: ChromaSubsampling = .s420) throws {
        let name = url.isFileURL ? url.relativePath : url.absoluteString
        let data = try JPEGCodec.encode(image, quality: quality, subsampling: subsampling, name: name)
        try writeAtomically(data, to: url, name: name)
    }

    /// Writes a lossless 8-bit RGB PNG (libpng). The file is written to a temporary name and renamed into place.
    public static func writePNG(_ image: Image, to url: URL) throws {
        let name = url.isFileURL ? url.relativePath : url.absoluteString
        let data = try PNGCodec.encode(image, name: name)
        try writeAtomically(data, to: url, name: name)
    }

    /// Encodes to JPEG bytes.
    public static func encodeJPEG(_ image: Image, quality: Int = 95, subsampling: ChromaSubsampling = .s420) throws -> Data {
        try JPEGCodec.encode(image, quality: quality, subsampling: subsampling, name: "<memory>")
    }

    /// Chroma subsampling of written JPEGs.
    public enum ChromaSubsampling: Sendable { case s420, s444 }

    /// Encodes to PNG bytes.
    public static func encodePNG(_ image: Image) throws -> Data {
        try PNGCodec.encode(image, name: "<memory>")
    }

    static func writeAtomically(_ data: Data, to url: URL, name: String) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError.cannotWrite(name: name, reason: (error as NSError).localizedDescription)
        }
    }

    /// Most pixels a header may claim: OpenCV's `CV_IO_MAX_IMAGE_PIXELS` (2^30). The fuzzing harness lowers it so its
    /// memory limit measures the decoders rather than legitimate large images.
    nonisolated(unsafe) public static var maxPixels = 1 << 30

    /// The limits every header passes before a pixel buffer is allocated: OpenCV's (2^20 per side, `maxPixels` in
    /// all), and for images above 16 Mpixel a bound on pixels per byte of file that no real encoding reaches — a
    /// Huffman-coded JPEG spends at least a bit per 8×8 block (512 px/byte; 4096 allowed), deflate expands at most
    /// 1032× (8256 px/byte for 1-bit PNGs; 16384 allowed). A 93-byte JPEG claiming 18798×29716 pixels is refused
    /// instead of allocating 1.7 GB. Returns why the size is refused, or nil.
    static func sizeProblem(width: Int, height: Int, format: String, fileBytes: Int) -> String? {
        guard width > 0, height > 0 else { return "invalid \(format) size \(width)×\(height)" }
        guard width <= 1 << 20, height <= 1 << 20, width * height <= maxPixels else {
            return "\(format) header claims \(width)×\(height) pixels, above the decoding limit of \(maxPixels)"
        }
        let perByte = format == "JPEG" ? 4096 : format == "PNG" ? 16384 : Int.max
        if width * height > 1 << 24, width * height / max(fileBytes, 1) > perByte {
            return "\(format) header claims \(width)×\(height) pixels from a \(fileBytes)-byte file (a decompression bomb)"
        }
        return nil
    }

    enum Format {
        case jpeg, png, bmp, webp

        static func sniff(_ b: UnsafeBufferPointer<UInt8>) -> Format? {
            if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
            if b.count >= 8, b[0] == 0x89, b[1] == 0x50, b[2] == 0x4E, b[3] == 0x47,
               b[4] == 0x0D, b[5] == 0x0A, b[6] == 0x1A, b[7] == 0x0A { return .png }
            if b.count >= 2, b[0] == 0x42, b[1] == 0x4D { return .bmp }
            if WebPCodec.isWebP(b) { return .webp }  // RIFF....WEBP
            return nil
        }
    }
}

// MARK: - JPEG (TurboJPEG API)

enum JPEGCodec {
    static func message(_ handle: tjhandle?) -> String {
        guard let cstr = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: cstr)
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String, order: ChannelOrder) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw ImageError.cannotDecode(name: name, reason: "tjInitDecompress failed")
        }
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &w, &h, &subsamp, &colorspace) != 0 {
            throw ImageError.cannotDecode(name: name, reason: message(handle))
        }
        let width = Int(w), height = Int(h)
        if let problem = ImageIO.sizeProblem(width: width, height: height, format: "JPEG", fileBytes: bytes.count) {
            throw ImageError.cannotDecode(name: name, reason: problem)
        }
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        if cmyk {
            return try decodeCMYK(handle, bytes, width: width, height: height, name: name, order: order)
        }
        let format = order == .bgr ? TJPF_BGR : TJPF_RGB
        var failure: String?
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buf, count in
            let rc = tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), buf.baseAddress,
                                   w, 0, h, Int32(format.rawValue), 0)
            if rc != 0 { failure = checkedFailure(handle) }
            if failure != nil { buf.baseAddress!.initialize(repeating: 0, count: buf.count) }
            count = buf.count
        }
        if let failure { throw ImageError.cannotDecode(name: name, reason: failure) }
        return Image(width: width, height: height, order: order, pixels: pixels)
    }

    /// nil if the non-zero return code was only a benign libjpeg warning (OpenCV accepts those, e.g. "extraneous
    /// bytes before marker"); the message otherwise. A truncated stream ("Premature end of JPEG file") is an error
    /// here, although OpenCV would return the partially decoded image filled with grey.
    static func checkedFailure(_ handle: tjhandle) -> String? {
        let msg = message(handle)
        if tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) && !msg.contains("Premature end") { return nil }
        return msg
    }

    /// CMYK / YCCK JPEGs (Adobe, inverted CMYK): B = Y·K/255 … like OpenCV's CMYK→BGR conversion.
    static func decodeCMYK(_ handle: tjhandle, _ bytes: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                           name: String, order: ChannelOrder) throws -> Image {
        var cmyk = [UInt8](repeating: 0, count: width * height * 4)
        let rc = cmyk.withUnsafeMutableBufferPointer { buf in
            tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), buf.baseAddress,
                          Int32(width), 0, Int32(height), Int32(TJPF_CMYK.rawValue), 0)
        }
        if rc != 0, let failure = checkedFailure(handle) {
            throw ImageError.cannotDecode(name: name, reason: failure)
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let c = Int(cmyk[4 * i]), m = Int(cmyk[4 * i + 1]), y = Int(cmyk[4 * i + 2]), k = Int(cmyk[4 * i + 3])
            let r = UInt8(c * k / 255), g = UInt8(m * k / 255), b = UInt8(y * k / 255)
            if order == .bgr { out[3 * i] = b; out[3 * i + 1] = g; out[3 * i + 2] = r } else {
                out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b
            }
        }
        return Image(width: width, height: height, order: order, pixels: out)
    }

    static func encode(_ image: Image, quality: Int, subsampling: ImageIO.ChromaSubsampling, name: String) throws -> Data {
        guard image.width > 0, image.height > 0 else {
            throw ImageError.cannotWrite(name: name, reason: "empty image \(image.width)×\(image.height)")
        }
        guard let handle = tjInitCompress() else {
            throw ImageError.cannotWrite(name: name, reason: "tjInitCompress failed")
        }
        defer { tjDestroy(handle) }
        var jpegBuf: UnsafeMutablePointer<UInt8>? = nil
        var jpegSize: UInt = 0
        let format = image.order == .bgr ? TJPF_BGR : TJPF_RGB
        let rc = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                        &jpegBuf, &jpegSize, Int32((subsampling == .s444 ? TJSAMP_444 : TJSAMP_420).rawValue), Int32(max(1, min(100, quality))), 0)
        }
        defer { if let jpegBuf { tjFree(jpegBuf) } }
        guard rc == 0, let jpegBuf else { throw ImageError.cannotWrite(name: name, reason: message(handle)) }
        return Data(bytes: jpegBuf, count: Int(jpegSize))
    }
}

// MARK: - EXIF orientation

enum EXIF {
    /// The orientation tag (0x0112) of IFD0 in the first Exif APP1 segment of a JPEG, or 1 if there is none.
    static func orientation(jpeg b: UnsafeBufferPointer<UInt8>) -> Int {
        var p = 2
        while p + 4 <= b.count {
            guard b[p] == 0xFF else { return 1 }
            let marker = b[p + 1]
            if marker == 0xFF { p += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { p += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return 1 }  // start of scan / end: no more headers
            let length = Int(b[p + 2]) << 8 | Int(b[p + 3])
            guard length >= 2, p + 2 + length <= b.count else { return 1 }
            let start = p + 4, end = p + 2 + length
            if marker == 0xE1, end - start >= 14,
               b[start] == 0x45, b[start + 1] == 0x78, b[start + 2] == 0x69, b[start + 3] == 0x66,
               b[start + 4] == 0, b[start + 5] == 0 {
                return tiffOrientation(UnsafeBufferPointer(rebasing: b[(start + 6)..<end])) ?? 1
            }
            p = end
        }
        return 1
    }

    static func tiffOrientation(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        if t[0] == 0x49 && t[1] == 0x49 { little = true } else if t[0] == 0x4D && t[1] == 0x4D { little = false } else {
            return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let n = u16(ifd) else { return nil }
        for i in 0..<n {
            let e = ifd + 2 + 12 * i
            guard let tag = u16(e) else { return nil }
            if tag == 0x0112 {
                guard let type = u16(e + 2) else { return nil }
                let value: Int?
                switch type {
                case 3: value = u16(e + 8)          // SHORT
                case 4: value = u32(e + 8)          // LONG (non-standard)
                default: value = nil
                }
                guard let v = value, (1...8).contains(v) else { return nil }
                return v
            }
        }
        return nil
    }
}

// MARK: - BMP

enum BMPCodec {
    /// Uncompressed BMPs: 24-bit, 32-bit (BI_RGB or BI_BITFIELDS with the standard masks; the 4th byte is ignored),
    /// and 1/4/8-bit palettes; bottom-up or top-down.
    static func decode(_ b: UnsafeBufferPointer<UInt8>, name: String, order: ChannelOrder) throws -> Image {
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func i32(_ o: Int) -> Int { Int(Int32(bitPattern: UInt32(u32(o)))) }
        func bad(_ r: String) -> ImageError { .cannotDecode(name: name, reason: r) }
        guard b.count >= 26 else { throw bad("truncated BMP header") }
        let dataOffset = u32(10)
        let headerSize = u32(14)
        let width: Int, rawHeight: Int, bpp: Int, compression: Int
        var colorsUsed = 0
        let paletteEntry: Int
        if headerSize == 12 {  // OS/2 BITMAPCOREHEADER
            width = u16(18); rawHeight = Int(Int16(bitPattern: UInt16(u16(20)))); bpp = u16(24); compression = 0
            paletteEntry = 3
        } else if headerSize >= 40 {
            guard b.count >= 14 + 40 else { throw bad("truncated BMP header") }
            width = i32(18); rawHeight = i32(22); bpp = u16(28); compression = u32(30); colorsUsed = u32(46)
            paletteEntry = 4
        } else {
            throw bad("bad BMP header size \(headerSize)")
        }
        let topDown = rawHeight < 0
        let height = abs(rawHeight)
        if let problem = ImageIO.sizeProblem(width: width, height: height, format: "BMP", fileBytes: b.count) {
            throw bad(problem)
        }
        switch (bpp, compression) {
        case (24, 0), (32, 0), (1, 0), (4, 0), (8, 0): break
        case (32, 3):
            let m = 14 + 40
            guard b.count >= m + 12, u32(m) == 0xFF0000, u32(m + 4) == 0xFF00, u32(m + 8) == 0xFF else {
                throw ImageError.unsupported(name: name, reason: "32-bit BMP with non-standard bit fields")
            }
        default:
            throw ImageError.unsupported(name: name, reason: "BMP with \(bpp) bits per pixel, compression \(compression)")
        }
        var palette = [UInt8]()  // BGR triples
        if bpp <= 8 {
            let n = colorsUsed > 0 ? min(colorsUsed, 1 << bpp) : 1 << bpp
            let start = 14 + headerSize
            guard start + n * paletteEntry <= b.count else { throw bad("truncated BMP palette") }
            palette = [UInt8](repeating: 0, count: 256 * 3)
            for i in 0..<n {
                palette[3 * i] = b[start + paletteEntry * i]
                palette[3 * i + 1] = b[start + paletteEntry * i + 1]
                palette[3 * i + 2] = b[start + paletteEntry * i + 2]
            }
        }
        let stride = (width * bpp + 31) / 32 * 4
        guard dataOffset >= 14, dataOffset + stride * (height - 1) + (width * bpp + 7) / 8 <= b.count else {
            throw bad("truncated BMP pixel data")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let swap = order == .rgb
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = dataOffset + stride * (topDown ? y : height - 1 - y)
                var d = y * width * 3
                for x in 0..<width {
                    var px: (UInt8, UInt8, UInt8)
                    switch bpp {
                    case 24: let s = row + 3 * x; px = (b[s], b[s + 1], b[s + 2])
                    case 32: let s = row + 4 * x; px = (b[s], b[s + 1], b[s + 2])
                    default:
                        let bit = x * bpp
                        let byte = b[row + bit / 8]
                        let idx = Int(byte >> UInt8(8 - bpp - bit % 8)) & ((1 << bpp) - 1)
                        px = (palette[3 * idx], palette[3 * idx + 1], palette[3 * idx + 2])
                    }
                    if swap { px = (px.2, px.1, px.0) }
                    out[d] = px.0; out[d + 1] = px.1; out[d + 2] = px.2
                    d += 3
                }
            }
        }
        return Image(width: width, height: height, order: order, pixels: pixels)
    }
}
