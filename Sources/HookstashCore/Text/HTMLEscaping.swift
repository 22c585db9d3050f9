/// Escapes text for HTML element content and quoted attribute values, byte by byte.
///
/// Swift's `Character` is a grapheme cluster: `"\u{600}<"` or `"\"\u{301}"` is one `Character`, equal to none of
/// `<`, `"`, `'`, so an escaper that compares `Character`s lets the raw byte through. This one looks at UTF-8
/// bytes: `& < > " '` are replaced wherever they occur, whatever combines with them.
public enum HTMLEscaping {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    public static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { escapeValidUTF8($0) }
    }

    /// `bytes` as escaped text; sequences that are not UTF-8 become U+FFFD first.
    public static func escape(_ bytes: some Collection<UInt8>) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        return text.withUTF8 { escapeValidUTF8($0) }
    }

    private static func escapeValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(where: needsEscaping) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8 + 16)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        // Only ASCII bytes were replaced, by ASCII: the result is as valid UTF-8 as the input.
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
