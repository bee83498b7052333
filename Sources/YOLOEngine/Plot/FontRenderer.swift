import CFreeType
import Foundation

/// Errors from loading a font for plot labels.
public enum PlotError: Error, CustomStringConvertible, LocalizedError {
    case noFont(searched: [String])
    case freetype(call: String, code: Int32, path: String)

    public var description: String {
        switch self {
        case .noFont(let searched):
            return "no TrueType font found for plot labels (looked for \(searched.joined(separator: ", "))); "
                + "install fonts-dejavu-core or pass a font path"
        case .freetype(let call, let code, let path):
            return "FreeType \(call) failed with error \(code) for \(path)"
        }
    }

    public var errorDescription: String? { description }
}

/// Renders text with FreeType (grayscale anti-aliasing, no kerning). Thread-safe: one lock guards the face.
public final class FontRenderer: @unchecked Sendable {
    public let path: String
    private var library: FT_Library?
    private var face: FT_Face?
    private let lock = NSLock()
    /// Cap height ("H" height) as a fraction of the pixel size.
    public private(set) var capHeightRatio: Double = 0.729

    /// The preferred font, then fonts searched in these folders.
    public static let preferredPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public static let searchFolders = ["/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts"]

    public init(path: String) throws {
        self.path = path
        var lib: FT_Library?
        var rc = FT_Init_FreeType(&lib)
        guard rc == 0, let lib else { throw PlotError.freetype(call: "FT_Init_FreeType", code: rc, path: path) }
        library = lib
        var f: FT_Face?
        rc = FT_New_Face(lib, path, 0, &f)
        guard rc == 0, let f else {
            FT_Done_FreeType(lib)
            library = nil
            throw PlotError.freetype(call: "FT_New_Face", code: rc, path: path)
        }
        face = f
        // Measure the cap height once at a large size.
        lock.lock()
        defer { lock.unlock() }
        if FT_Set_Pixel_Sizes(f, 0, 200) == 0, FT_Load_Char(f, FT_ULong(UInt8(ascii: "H")), Int32(FT_LOAD_DEFAULT)) == 0 {
            let top = Double(f.pointee.glyph.pointee.metrics.horiBearingY) / 64
            if top > 20 { capHeightRatio = top / 200 }
        }
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    nonisolated(unsafe) private static var cached: FontRenderer?
    private static let cacheLock = NSLock()

    /// The shared default font: DejaVu Sans, else the first `.ttf` found in `searchFolders`.
    public static func shared() throws -> FontRenderer {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached { return cached }
        var candidates = [preferredPath]
        let fm = FileManager.default
        for folder in searchFolders {
            guard let e = fm.enumerator(atPath: folder) else { continue }
            var found: [String] = []
            while let rel = e.nextObject() as? String {
                if rel.lowercased().hasSuffix(".ttf") { found.append((folder as NSString).appendingPathComponent(rel)) }
            }
            candidates += found.sorted()
        }
        for path in candidates where fm.fileExists(atPath: path) {
            if let f = try? FontRenderer(path: path) {
                cached = f
                return f
            }
        }
        throw PlotError.noFont(searched: [preferredPath] + searchFolders.map { $0 + "/**/*.ttf" })
    }

    /// The pixel (em) size whose cap height is `capHeight` pixels.
    public func pixelSize(forCapHeight capHeight: Double) -> Double { capHeight / capHeightRatio }

    private func setSize(_ pixelSize: Double) -> FT_Face? {
        guard let face else { return nil }
        let size = FT_F26Dot6(max(1, (pixelSize * 64).rounded()))
        return FT_Set_Char_Size(face, 0, size, 72, 72) == 0 ? face : nil
    }

    /// Advance width of `text` in whole pixels.
    public func width(of text: String, pixelSize: Double) -> Int {
        lock.lock()
        defer { lock.unlock() }
        guard let face = setSize(pixelSize) else { return 0 }
        var pen = 0
        for u in text.unicodeScalars where FT_Load_Char(face, FT_ULong(u.value), Int32(FT_LOAD_DEFAULT)) == 0 {
            pen += Int(face.pointee.glyph.pointee.advance.x)
        }
        return (pen + 63) >> 6
    }

    /// Calls `plot(x, y, coverage)` for every non-zero coverage pixel of `text`, relative to the baseline origin.
    public func render(_ text: String, pixelSize: Double, _ plot: (Int, Int, UInt8) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard let face = setSize(pixelSize) else { return }
        var pen = 0  // 26.6
        for u in text.unicodeScalars {
            guard FT_Load_Char(face, FT_ULong(u.value), Int32(FT_LOAD_RENDER)) == 0 else { continue }
            let slot = face.pointee.glyph.pointee
            let bm = slot.bitmap
            if let buf = bm.buffer, bm.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) {
                let ox = (pen + 32) >> 6 + Int(slot.bitmap_left), oy = -Int(slot.bitmap_top)
                for row in 0..<Int(bm.rows) {
                    let line = buf + row * Int(bm.pitch)
                    for col in 0..<Int(bm.width) where line[col] > 0 {
                        plot(ox + col, oy + row, line[col])
                    }
                }
            }
            pen += Int(slot.advance.x)
        }
    }
}
