/// What RFC 9110 says about header field names, in one place for the capture parser, replay and configured answers.
public enum HTTPFieldName {
    /// Headers that belong to one connection and are never forwarded or configured (RFC 9110 section 7.6.1):
    /// `Connection` and the fields it governs, and the message framing `Transfer-Encoding`.
    public static let hopByHop = [
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    ]

    /// Whether `name` is one of `hopByHop`, ASCII case-insensitively.
    public static func isHopByHop(_ name: String) -> Bool {
        hopByHop.contains { $0.equalsIgnoringASCIICase(name) }
    }

    /// RFC 9110 `tchar`: ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``. A table lookup: the capture parser asks it for every
    /// byte of every header name.
    @inlinable
    public static func isTokenByte(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    @usableFromInline
    static let tokenTable: [Bool] = (0..<256).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(UInt8(value))
        }
    }
}
