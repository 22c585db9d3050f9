/// A CR, LF or NUL byte in a value that must stay on one line: a header name or value, a URL, a path, a token.
///
/// On the wire such a byte ends the header (CR, LF: the rest becomes a header or request of the sender's choosing)
/// or cuts it (NUL, in C libraries). The check is on UTF-8 bytes: `"\r\n"` is one Swift `Character`, equal to
/// neither `"\r"` nor `"\n"`, so a check by `Character` lets it through.
public struct LineBreakingByte: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case carriageReturn, lineFeed, nul
    }

    public var kind: Kind
    /// Where it is, in UTF-8 bytes from the start of the value.
    public var offset: Int

    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The first CR, LF or NUL byte in `bytes`, if any.
    public static func first(in bytes: some Sequence<UInt8>) -> LineBreakingByte? {
        for (offset, byte) in bytes.enumerated() {
            switch byte {
            case 0x0d: return LineBreakingByte(kind: .carriageReturn, offset: offset)
            case 0x0a: return LineBreakingByte(kind: .lineFeed, offset: offset)
            case 0x00: return LineBreakingByte(kind: .nul, offset: offset)
            default: continue
            }
        }
        return nil
    }

    /// The first CR, LF or NUL byte in `text`'s UTF-8, if any.
    public static func first(in text: some StringProtocol) -> LineBreakingByte? {
        first(in: text.utf8)
    }

    /// Throws the first CR, LF or NUL byte in `text`.
    public static func check(_ text: some StringProtocol) throws(LineBreakingByte) {
        if let found = first(in: text.utf8) { throw found }
    }

    /// "a carriage return (CR) at byte 12".
    public var description: String {
        let name =
            switch kind {
            case .carriageReturn: "a carriage return (CR)"
            case .lineFeed: "a line feed (LF)"
            case .nul: "a NUL byte"
            }
        return "\(name) at byte \(offset)"
    }
}
