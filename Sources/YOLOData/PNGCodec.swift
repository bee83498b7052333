import CPNG
import Foundation

/// PNG through libpng.
///
/// libpng reports fatal errors by `longjmp`, which Swift cannot catch. So a file is first checked with libpng's
/// simplified API (`png_image_*`, which catches its own errors and returns a message), and only a file that passed is
/// decoded with the low-level API, whose transforms can reproduce OpenCV's `IMREAD_COLOR` exactly (no gamma or
/// colour-space processing, 16-bit → high byte, alpha dropped rather than composited).
enum PNGCodec {
    // Low-level callbacks. Errors cannot occur after the simplified-API check passed; if one does anyway, libpng
    // would abort the process itself when the error handler returns, so stop with its message instead.
    private static let errorFn: png_error_ptr = { _, msg in
        let text = msg.map { String(cString: $0) } ?? "unknown"
        fatalError("libpng error after a successful validation pass: \(text)")
    }
    private static let warningFn: png_error_ptr = { _, _ in }

    private struct Source {
        let base: UnsafePointer<UInt8>
        let count: Int
        var offset: Int
    }

    private static let readFn: png_rw_ptr = { png, out, length in
        guard let io = png_get_io_ptr(png) else { return }
        let src = io.assumingMemoryBound(to: Source.self)
        let n = min(length, src.pointee.count - src.pointee.offset)
        if let out, n > 0 { out.update(from: src.pointee.base + src.pointee.offset, count: n) }
        src.pointee.offset += n
        if n < length { png_error(png, "read past the end of the data") }
    }

    static func simplifiedMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    /// Full decode with the simplified API into an 8-bit grey scratch buffer; returns an error message on failure.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            let m = simplifiedMessage(&image)
            png_image_free(&image)
            return m
        }
        let w = Int(image.width), h = Int(image.height)
        if let problem = ImageIO.sizeProblem(width: w, height: h, format: "PNG", fileBytes: bytes.count) {
            png_image_free(&image)
            return problem
        }
        image.format = 0  // PNG_FORMAT_GRAY: one byte per pixel
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: w * h)
        defer { scratch.deallocate() }
        if png_image_finish_read(&image, nil, scratch, 0, nil) == 0 {
            let m = simplifiedMessage(&image)
            png_image_free(&image)
            return m
        }
        png_image_free(&image)
        return nil
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String, order: ChannelOrder) throws -> Image {
        if let message = validate(bytes) { throw ImageError.cannotDecode(name: name, reason: message) }

        var png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nil, errorFn, warningFn)
        guard png != nil else { throw ImageError.cannotDecode(name: name, reason: "png_create_read_struct failed") }
        var info = png_create_info_struct(png)
        defer { png_destroy_read_struct(&png, &info, nil) }
        guard info != nil else { throw ImageError.cannotDecode(name: name, reason: "png_create_info_struct failed") }

        var source = Source(base: bytes.baseAddress!, count: bytes.count, offset: 0)
        return try withUnsafeMutablePointer(to: &source) { src -> Image in
            png_set_read_fn(png, src, readFn)
            png_set_benign_errors(png, 1)
            png_read_info(png, info)
            let width = Int(png_get_image_width(png, info)), height = Int(png_get_image_height(png, info))
            let depth = Int32(png_get_bit_depth(png, info)), color = Int32(png_get_color_type(png, info))
            if depth == 16 { png_set_strip_16(png) }  // keeps the high byte
            if color == PNG_COLOR_TYPE_PALETTE { png_set_palette_to_rgb(png) }
            if color == PNG_COLOR_TYPE_GRAY && depth < 8 { png_set_expand_gray_1_2_4_to_8(png) }
            if color & PNG_COLOR_MASK_ALPHA != 0 { png_set_strip_alpha(png) }
            if color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA { png_set_gray_to_rgb(png) }
            if order == .bgr { png_set_bgr(png) }
            _ = png_set_interlace_handling(png)
            png_read_update_info(png, info)
            let channels = Int(png_get_channels(png, info))
            let rowBytes = Int(png_get_rowbytes(png, info))
            guard (channels == 3 || channels == 4), rowBytes >= width * channels, width > 0, height > 0 else {
                throw ImageError.unsupported(name: name, reason: "PNG decodes to \(channels) channels")
            }
            if channels == 3 && rowBytes == width * 3 {
                let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buf, count in
                    readRows(png, buf.baseAddress!, rowBytes: rowBytes, height: height)
                    count = buf.count
                }
                return Image(width: width, height: height, order: order, pixels: pixels)
            }
            // Alpha that survived the transforms (e.g. palette tRNS expanded): drop it here.
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: rowBytes * height)
            defer { scratch.deallocate() }
            readRows(png, scratch, rowBytes: rowBytes, height: height)
            let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buf, count in
                let out = buf.baseAddress!
                for y in 0..<height {
                    let row = scratch + y * rowBytes
                    let dst = out + y * width * 3
                    for x in 0..<width {
                        dst[3 * x] = row[channels * x]
                        dst[3 * x + 1] = row[channels * x + 1]
                        dst[3 * x + 2] = row[channels * x + 2]
                    }
                }
                count = buf.count
            }
            return Image(width: width, height: height, order: order, pixels: pixels)
        }
    }

    private static func readRows(_ png: png_structp?, _ base: UnsafeMutablePointer<UInt8>, rowBytes: Int, height: Int) {
        var rows = [UnsafeMutablePointer<UInt8>?](repeating: nil, count: height)
        for y in 0..<height { rows[y] = base + y * rowBytes }
        rows.withUnsafeMutableBufferPointer { png_read_image(png, $0.baseAddress) }
    }

    /// 8-bit RGB PNG via the simplified write API (which reports errors instead of jumping).
    static func encode(_ image: Image, name: String) throws -> Data {
        guard image.width > 0, image.height > 0 else {
            throw ImageError.cannotWrite(name: name, reason: "empty image \(image.width)×\(image.height)")
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.order == .bgr ? 0x12 : 0x02  // PNG_FORMAT_BGR / PNG_FORMAT_RGB
        var size: png_alloc_size_t = 0
        return try image.pixels.withUnsafeBufferPointer { src -> Data in
            guard png_image_write_to_memory(&png, nil, &size, 0, src.baseAddress, 0, nil) != 0 else {
                let m = simplifiedMessage(&png)
                png_image_free(&png)
                throw ImageError.cannotWrite(name: name, reason: m)
            }
            var data = Data(count: Int(size))
            let ok = data.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
            guard ok != 0 else {
                let m = simplifiedMessage(&png)
                png_image_free(&png)
                throw ImageError.cannotWrite(name: name, reason: m)
            }
            png_image_free(&png)
            data.count = Int(size)
            return data
        }
    }
}
