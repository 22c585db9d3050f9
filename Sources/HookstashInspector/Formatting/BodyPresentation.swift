import HookstashCore

/// How the detail page shows a body: pretty JSON, text, or a hex dump, cut to a readable size.
struct BodyPresentation: Sendable {
    enum Kind: String, Sendable {
        case empty, json, text, binary
    }

    /// Bytes shown as text or JSON before the page cuts the body off.
    static let textLimit = 256 * 1024
    /// Bytes shown in the hex dump before it is cut off.
    static let hexLimit = 16 * 1024

    var kind: Kind
    var shown: String
    var shownBytes: Int
    var totalBytes: Int64

    var isPartial: Bool { Int64(shownBytes) < totalBytes }

    init(body: [UInt8], totalBytes: Int64) {
        self.totalBytes = totalBytes
        if body.isEmpty {
            kind = .empty
            shown = ""
            shownBytes = 0
            return
        }
        let looksTextual = Self.isText(body)
        if looksTextual, body.count <= Self.textLimit, let pretty = JSONPrettyPrinter.prettyPrinted(body) {
            kind = .json
            shown = pretty
            shownBytes = body.count
        } else if looksTextual {
            kind = .text
            let cut = Self.utf8Prefix(body, limit: Self.textLimit)
            shown = String(decoding: cut, as: UTF8.self)
            shownBytes = cut.count
        } else {
            kind = .binary
            let cut = body.prefix(Self.hexLimit)
            shown = HexDump.lines(cut)
            shownBytes = cut.count
        }
    }

    /// Valid UTF-8 (a multi-byte character cut at the end is allowed) without NUL or other C0 controls
    /// besides tab, newline, carriage return and form feed.
    static func isText(_ bytes: [UInt8]) -> Bool {
        for byte in bytes where byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d && byte != 0x0c {
            return false
        }
        if String(validating: bytes, as: UTF8.self) != nil { return true }
        // A body cut by the store's read limit may end inside a character.
        for drop in 1...3 where bytes.count > drop {
            if String(validating: bytes.dropLast(drop), as: UTF8.self) != nil { return true }
        }
        return false
    }

    /// At most `limit` bytes, not ending inside a UTF-8 sequence.
    static func utf8Prefix(_ bytes: [UInt8], limit: Int) -> ArraySlice<UInt8> {
        guard bytes.count > limit else { return bytes[...] }
        var end = limit
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return bytes[..<end]
    }
}
