/// A configured response header (`Name: value`) that the listener can send as written, or why it cannot.
///
/// The name must be an RFC 9110 token (checked by bytes), the value may hold no CR, LF or NUL byte (see
/// ``LineBreakingByte``), and the header may not be one the listener computes itself: the framing of its answer
/// (`Content-Length`, `Transfer-Encoding`) and the hop-by-hop headers that govern the connection.
public enum ResponseHeaderLine {
    /// Why a configured response header is refused.
    public enum Problem: Error, Sendable, Hashable {
        /// No colon, or nothing before it.
        case notNameColonValue
        /// The name holds a byte that is not an RFC 9110 `tchar`, at this UTF-8 offset in the name.
        case nameNotAToken(name: String, offset: Int)
        /// The name or value holds a CR, LF or NUL byte (offset from the start of the whole line).
        case lineBreak(LineBreakingByte)
        /// The listener writes this header itself; a configured copy would contradict its framing or connection.
        case computedByListener(name: String)
    }

    /// Headers the listener computes: its framing, and the hop-by-hop headers (RFC 9110 section 7.6.1).
    public static let computedByListener = ["Content-Length"] + HTTPFieldName.hopByHop

    /// Parses `Name: value` (spaces around both trimmed) and checks it; the one check for every configured header.
    public static func parse(_ text: some StringProtocol) throws(Problem) -> (name: String, value: String) {
        if let found = LineBreakingByte.first(in: text) { throw .lineBreak(found) }
        guard let colon = text.firstIndex(of: ":") else { throw .notNameColonValue }
        let name = text[..<colon].trimmingSpaces()
        guard !name.isEmpty else { throw .notNameColonValue }
        if let offset = name.utf8.firstIndex(where: { !HTTPFieldName.isTokenByte($0) }) {
            throw .nameNotAToken(name: name, offset: name.utf8.distance(from: name.utf8.startIndex, to: offset))
        }
        if let computed = computedByListener.first(where: { $0.equalsIgnoringASCIICase(name) }) {
            throw .computedByListener(name: computed)
        }
        return (name, text[text.index(after: colon)...].trimmingSpaces())
    }

}

extension ResponseHeaderLine.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notNameColonValue: "a header is written 'Name: value'"
        case .nameNotAToken(let name, let offset):
            "the header name '\(name)' has a byte at \(offset) that is not allowed in a name (RFC 9110 token)"
        case .lineBreak(let found): "a header is one line, but this one contains \(found)"
        case .computedByListener(let name):
            "\(name) is computed by the listener for its answer and cannot be configured"
        }
    }
}
