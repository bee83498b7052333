import Foundation

/// The one sanitizer every error and warning line goes through: text that came from files, folders, class names or
/// arguments may hold control characters (which would move the cursor, clear the screen or forge lines) or run to
/// megabytes (a 100k-character argument echoed back).
public enum ConsoleText {
    /// Longest run of non-space characters kept whole; longer runs keep their head and tail around "…".
    public static let maxToken = 200
    /// Longest line kept whole.
    public static let maxLine = 2_000

    /// `text` as one printable line: newlines and tabs become spaces, other control characters (C0, DEL, C1) become
    /// `\u{XX}` escapes, long tokens and long lines are shortened.
    public static func line(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var token = String.UnicodeScalarView()
        func flush() {
            if token.count > maxToken {
                let scalars = Array(token)
                out.append(contentsOf: scalars.prefix(maxToken / 2 + 40))
                out.append("…")
                out.append(contentsOf: scalars.suffix(maxToken / 2 - 40))
            } else {
                out.append(contentsOf: token)
            }
            token = String.UnicodeScalarView()
        }
        for s in text.unicodeScalars {
            switch s.value {
            case 0x0A, 0x0D, 0x09, 0x20:
                flush()
                out.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0:
                token.append(contentsOf: String(format: "\\u{%02X}", s.value).unicodeScalars)
            default:
                token.append(s)
            }
        }
        flush()
        var line = String(out)
        if line.count > maxLine { line = String(line.prefix(maxLine - 40)) + " … (\(line.count - maxLine + 40) more characters)" }
        return line
    }
}
