/// A JSON Pointer (RFC 6901): `""` is the whole document, `/a/b` the member `b` of the member `a`; in a token
/// `~1` is `/` and `~0` is `~`; a token naming an array element is `0` or a decimal without a leading zero.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The pointer as written.
    public let description: String
    /// The reference tokens, unescaped, as UTF-8 bytes (member names are compared byte for byte).
    public let tokens: [[UInt8]]

    public init(parsing text: String) throws(CriterionSyntaxError) {
        let bytes = Array(text.utf8)
        var tokens: [[UInt8]] = []
        if !bytes.isEmpty {
            guard bytes[0] == UInt8(ascii: "/") else {
                throw CriterionSyntaxError(.jsonPointerNotAbsolute, text: text)
            }
            var current: [UInt8] = []
            var index = 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "/") {
                    tokens.append(current)
                    current = []
                } else if byte == UInt8(ascii: "~") {
                    guard index + 1 < bytes.count,
                        bytes[index + 1] == UInt8(ascii: "0") || bytes[index + 1] == UInt8(ascii: "1")
                    else { throw CriterionSyntaxError(.jsonPointerBadEscape, text: text) }
                    current.append(bytes[index + 1] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                    index += 1
                } else {
                    current.append(byte)
                }
                index += 1
            }
            tokens.append(current)
        }
        self.description = text
        self.tokens = tokens
    }

    /// The array index a token names, if it is one (`0`, `17`; not `01`, `-`, `+1`, or beyond `Int`).
    static func arrayIndex(_ token: [UInt8]) -> Int? {
        guard let first = token.first, token.count <= 18 else { return nil }
        guard token.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        if first == UInt8(ascii: "0") && token.count > 1 { return nil }
        return token.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
