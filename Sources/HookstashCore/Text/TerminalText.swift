/// Text from a capture or a remote made safe to print on a terminal, scalar by scalar.
///
/// Terminals act on control characters: ESC and the C1 controls (U+0080–U+009F, which UTF-8 terminals may also
/// obey) start sequences that move the cursor, rewrite the title or the clipboard; CR and BS overwrite what was
/// printed; bidi overrides (U+202A–U+202E, U+2066–U+2069) reorder what follows. Each of them is replaced by a
/// visible escape: `\x1b`, `\x7f`, `\u{9b}`, `\u{202e}`. Line feeds and tabs are kept only where a caller allows
/// them. Everything else, including combining marks, passes unchanged.
public enum TerminalText {
    /// What `sanitized` keeps as it is.
    public struct Allowed: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let lineFeeds = Allowed(rawValue: 1 << 0)
        public static let tabs = Allowed(rawValue: 1 << 1)
        /// A multi-line text block: line feeds and tabs.
        public static let lineBreaks: Allowed = [.lineFeeds, .tabs]
    }

    /// `text` with every control character and bidi control made visible, except those `allowed`.
    public static func sanitized(_ text: String, allowing allowed: Allowed = []) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, allowed: allowed) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, allowed: allowed) {
                out.append(contentsOf: visible(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `bytes` decoded as UTF-8 (other sequences become U+FFFD), then sanitized.
    public static func sanitized(_ bytes: some Collection<UInt8>, allowing allowed: Allowed = []) -> String {
        sanitized(String(decoding: bytes, as: UTF8.self), allowing: allowed)
    }

    /// Whether printing `scalar` could drive or reorder the terminal.
    public static func isUnsafe(_ scalar: Unicode.Scalar, allowed: Allowed = []) -> Bool {
        switch scalar.value {
        case 0x0a: !allowed.contains(.lineFeeds)
        case 0x09: !allowed.contains(.tabs)
        case 0x00..<0x20, 0x7f, 0x80..<0xa0: true
        case 0x202a...0x202e, 0x2066...0x2069: true
        default: false
        }
    }

    /// The escape printed instead of an unsafe scalar.
    static func visible(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value < 0x80 { return "\\x" + (hex.count == 1 ? "0" + hex : hex) }
        return "\\u{" + hex + "}"
    }

    /// A JSON document (UTF-8) with the C1 controls, DEL and bidi controls inside its strings written as `\uXXXX`
    /// escapes: the same JSON value, but nothing a terminal acts on. (Encoders already escape C0 controls; these
    /// characters can occur only inside strings, so replacing them keeps the document valid.)
    public static func jsonEscapingControls(_ json: some Collection<UInt8>) -> [UInt8] {
        let text = String(decoding: json, as: UTF8.self)
        guard text.unicodeScalars.contains(where: { isUnsafe($0, allowed: .lineBreaks) }) else { return Array(json) }
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 16)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, allowed: .lineBreaks) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }
}
