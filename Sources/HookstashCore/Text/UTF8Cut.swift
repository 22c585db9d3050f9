/// Cuts text to a number of bytes without splitting a UTF-8 sequence.
public enum UTF8Cut {
    /// `text` when it fits in `maxBytes` bytes; else its longest prefix that fits, at a scalar boundary, followed
    /// by `…`.
    public static func prefix(_ text: String, maxBytes: Int) -> String {
        let bytes = text.utf8
        guard bytes.count > maxBytes else { return text }
        return String(decoding: prefix(Array(bytes), maxBytes: maxBytes), as: UTF8.self) + "…"
    }

    /// The longest prefix of `bytes` of at most `maxBytes` that does not end inside a UTF-8 sequence.
    public static func prefix(_ bytes: [UInt8], maxBytes: Int) -> ArraySlice<UInt8> {
        guard bytes.count > maxBytes else { return bytes[...] }
        var end = max(0, maxBytes)
        // Back off continuation bytes (10xxxxxx) so the cut falls before the sequence they belong to.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return bytes[..<end]
    }
}
