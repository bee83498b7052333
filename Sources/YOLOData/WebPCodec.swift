import CWebP
import Foundation

/// WebP through libwebp, as OpenCV's `IMREAD_COLOR` does: lossy (VP8) and lossless (VP8L), with or without alpha,
/// decoded straight to 8-bit BGR (or RGB). Alpha is dropped, not composited — libwebp's RGB output modes leave the
/// colour samples untouched, which is what OpenCV's BGRA decode followed by BGRA→BGR gives. Animated files decode
/// to their first frame on the full canvas (libwebpdemux's animation decoder), again with alpha dropped.
enum WebPCodec {
    /// `RIFF <size> WEBP`.
    static func isWebP(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count >= 12 && b[0] == 0x52 && b[1] == 0x49 && b[2] == 0x46 && b[3] == 0x46
            && b[8] == 0x57 && b[9] == 0x45 && b[10] == 0x42 && b[11] == 0x50
    }

    static func statusText(_ s: VP8StatusCode) -> String {
        switch s {
        case VP8_STATUS_OK: return "ok"
        case VP8_STATUS_OUT_OF_MEMORY: return "out of memory"
        case VP8_STATUS_INVALID_PARAM: return "invalid parameter"
        case VP8_STATUS_BITSTREAM_ERROR: return "corrupt WebP bitstream"
        case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported WebP feature"
        case VP8_STATUS_SUSPENDED: return "decoding suspended"
        case VP8_STATUS_USER_ABORT: return "decoding aborted"
        case VP8_STATUS_NOT_ENOUGH_DATA: return "truncated WebP data"
        default: return "libwebp status \(s.rawValue)"
        }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String, order: ChannelOrder) throws -> Image {
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw ImageError.cannotDecode(name: name, reason: "libwebp version mismatch")
        }
        let header = WebPGetFeatures(bytes.baseAddress, bytes.count, &config.input)
        guard header == VP8_STATUS_OK else { throw ImageError.cannotDecode(name: name, reason: statusText(header)) }
        let width = Int(config.input.width), height = Int(config.input.height)
        if let problem = ImageIO.sizeProblem(width: width, height: height, format: "WebP", fileBytes: bytes.count) {
            throw ImageError.cannotDecode(name: name, reason: problem)
        }
        if config.input.has_animation != 0 {
            return try decodeFirstFrame(bytes, name: name, order: order)
        }
        var status = VP8_STATUS_OK
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buf, count in
            config.output.colorspace = order == .bgr ? MODE_BGR : MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = buf.baseAddress
            config.output.u.RGBA.stride = Int32(width * 3)
            config.output.u.RGBA.size = buf.count
            status = WebPDecode(bytes.baseAddress, bytes.count, &config)
            WebPFreeDecBuffer(&config.output)  // external memory: releases nothing but libwebp's bookkeeping
            if status != VP8_STATUS_OK { buf.baseAddress!.initialize(repeating: 0, count: buf.count) }
            count = buf.count
        }
        guard status == VP8_STATUS_OK else { throw ImageError.cannotDecode(name: name, reason: statusText(status)) }
        return Image(width: width, height: height, order: order, pixels: pixels)
    }

    /// First frame of an animated WebP, composited by libwebpdemux onto its (transparent) canvas; alpha dropped.
    static func decodeFirstFrame(_ bytes: UnsafeBufferPointer<UInt8>, name: String, order: ChannelOrder) throws -> Image {
        var options = WebPAnimDecoderOptions()
        guard WebPAnimDecoderOptionsInit(&options) != 0 else {
            throw ImageError.cannotDecode(name: name, reason: "libwebpdemux version mismatch")
        }
        options.color_mode = order == .bgr ? MODE_BGRA : MODE_RGBA
        options.use_threads = 0
        var data = WebPData(bytes: bytes.baseAddress, size: bytes.count)
        guard let decoder = WebPAnimDecoderNew(&data, &options) else {
            throw ImageError.cannotDecode(name: name, reason: "corrupt animated WebP")
        }
        defer { WebPAnimDecoderDelete(decoder) }
        var info = WebPAnimInfo()
        guard WebPAnimDecoderGetInfo(decoder, &info) != 0 else {
            throw ImageError.cannotDecode(name: name, reason: "corrupt animated WebP")
        }
        let width = Int(info.canvas_width), height = Int(info.canvas_height)
        var frame: UnsafeMutablePointer<UInt8>?
        var timestamp: Int32 = 0
        guard width > 0, height > 0, WebPAnimDecoderGetNext(decoder, &frame, &timestamp) != 0, let frame else {
            throw ImageError.cannotDecode(name: name, reason: "cannot decode the first frame of an animated WebP")
        }
        let n = width * height
        let pixels = [UInt8](unsafeUninitializedCapacity: n * 3) { buf, count in
            for i in 0..<n {
                buf[3 * i] = frame[4 * i]; buf[3 * i + 1] = frame[4 * i + 1]; buf[3 * i + 2] = frame[4 * i + 2]
            }
            count = n * 3
        }
        return Image(width: width, height: height, order: order, pixels: pixels)
    }
}
