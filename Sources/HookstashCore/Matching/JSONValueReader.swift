/// What a JSON Pointer finds in a body.
public enum JSONLookup: Sendable, Hashable {
    /// The value's text: a string's contents unescaped; a number, `true`, `false` or `null` as written; an object
    /// or array as compact JSON (whitespace outside strings removed, strings kept as written).
    case found([UInt8])
    /// The pointer names nothing in the document.
    case missing
    /// The body is not one JSON value (or nests deeper than `JSONValueReader.maximumDepth`).
    case notJSON
}

/// A small JSON reader over bytes that finds the value a pointer names without building a tree: it validates the
/// document, then walks only the members and elements on the pointer's path. Iterative (no recursion), with the
/// nesting bounded by `maximumDepth`; time linear in the body per lookup.
///
/// Where an object repeats a member name, the last one counts (as most JSON parsers a receiver uses do).
public enum JSONValueReader {
    public static let maximumDepth = 64

    public static func value(at pointer: JSONPointer, in body: [UInt8]) -> JSONLookup {
        var reader = Reader(bytes: body)
        reader.skipWhitespace()
        let start = reader.index
        guard reader.skipValue(), reader.atEndAfterWhitespace() else { return .notJSON }
        var range = start..<reader.index
        for token in pointer.tokens {
            guard let next = child(of: range, token: token, in: body) else { return .missing }
            range = next
        }
        return .found(text(of: range, in: body))
    }

    /// Whether `body` is one JSON value within the depth bound.
    public static func isJSON(_ body: [UInt8]) -> Bool {
        var reader = Reader(bytes: body)
        reader.skipWhitespace()
        return reader.skipValue() && reader.atEndAfterWhitespace()
    }

    /// The range of the member or element `token` names in the (valid) value at `range`.
    private static func child(of range: Range<Int>, token: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        var reader = Reader(bytes: bytes, index: range.lowerBound)
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "{"):
            reader.index += 1
            var found: Range<Int>?
            reader.skipWhitespace()
            if reader.peek == UInt8(ascii: "}") { return nil }
            while true {
                reader.skipWhitespace()
                guard let key = reader.readString() else { return nil }
                reader.skipWhitespace()
                reader.index += 1  // ':'
                reader.skipWhitespace()
                let start = reader.index
                guard reader.skipValue() else { return nil }
                if key == token { found = start..<reader.index }
                reader.skipWhitespace()
                guard reader.peek == UInt8(ascii: ",") else { return found }
                reader.index += 1
            }
        case UInt8(ascii: "["):
            guard let wanted = JSONPointer.arrayIndex(token) else { return nil }
            reader.index += 1
            reader.skipWhitespace()
            if reader.peek == UInt8(ascii: "]") { return nil }
            var position = 0
            while true {
                reader.skipWhitespace()
                let start = reader.index
                guard reader.skipValue() else { return nil }
                if position == wanted { return start..<reader.index }
                position += 1
                reader.skipWhitespace()
                guard reader.peek == UInt8(ascii: ",") else { return nil }
                reader.index += 1
            }
        default:
            return nil
        }
    }

    private static func text(of range: Range<Int>, in bytes: [UInt8]) -> [UInt8] {
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "\""):
            var reader = Reader(bytes: bytes, index: range.lowerBound)
            return reader.readString() ?? []
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var out: [UInt8] = []
            out.reserveCapacity(range.count)
            var inString = false
            var escaped = false
            for byte in bytes[range] {
                if inString {
                    out.append(byte)
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else if !Reader.isWhitespace(byte) {
                    out.append(byte)
                    if byte == UInt8(ascii: "\"") { inString = true }
                }
            }
            return out
        default:
            return Array(bytes[range])
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        mutating func skipWhitespace() {
            while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        }

        mutating func atEndAfterWhitespace() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        /// Skips one value, validating it; containers are tracked on an explicit stack (`true`: object).
        mutating func skipValue() -> Bool {
            var stack: [Bool] = []
            // Expecting a value next (after `[`, `,` in an array, `:`), or a member/closing bracket.
            while true {
                skipWhitespace()
                guard let byte = peek else { return false }
                // A value.
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < JSONValueReader.maximumDepth else { return false }
                    let isObject = byte == UInt8(ascii: "{")
                    index += 1
                    skipWhitespace()
                    if peek == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        index += 1
                        break
                    }
                    stack.append(isObject)
                    if isObject {
                        guard skipString() else { return false }
                        skipWhitespace()
                        guard peek == UInt8(ascii: ":") else { return false }
                        index += 1
                    }
                    continue
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                case UInt8(ascii: "t"):
                    guard skipLiteral("true") else { return false }
                case UInt8(ascii: "f"):
                    guard skipLiteral("false") else { return false }
                case UInt8(ascii: "n"):
                    guard skipLiteral("null") else { return false }
                default:
                    guard skipNumber() else { return false }
                }
                // After a complete value: close containers or move to the next element/member.
                while true {
                    guard let isObject = stack.last else { return true }
                    skipWhitespace()
                    guard let next = peek else { return false }
                    if next == UInt8(ascii: ",") {
                        index += 1
                        if isObject {
                            skipWhitespace()
                            guard skipString() else { return false }
                            skipWhitespace()
                            guard peek == UInt8(ascii: ":") else { return false }
                            index += 1
                        }
                        break
                    }
                    guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                    index += 1
                    stack.removeLast()
                }
            }
        }

        mutating func skipLiteral(_ literal: String) -> Bool {
            let utf8 = literal.utf8
            guard index + utf8.count <= bytes.count, bytes[index..<(index + utf8.count)].elementsEqual(utf8) else {
                return false
            }
            index += utf8.count
            return true
        }

        mutating func skipNumber() -> Bool {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, isDigit(first) else { return false }
            index += 1
            if first != UInt8(ascii: "0") { while let d = peek, isDigit(d) { index += 1 } }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let d = peek, isDigit(d) else { return false }
                while let d = peek, isDigit(d) { index += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard let d = peek, isDigit(d) else { return false }
                while let d = peek, isDigit(d) { index += 1 }
            }
            return index > start
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// Skips a string starting at `index`, validating escapes and rejecting raw control characters.
        mutating func skipString() -> Bool {
            guard peek == UInt8(ascii: "\"") else { return false }
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { return false }
                    let escape = bytes[index + 1]
                    if escape == UInt8(ascii: "u") {
                        guard index + 6 <= bytes.count,
                            bytes[(index + 2)..<(index + 6)].allSatisfy({ Self.hexValue($0) != nil })
                        else { return false }
                        index += 6
                    } else {
                        guard Self.simpleEscape(escape) != nil else { return false }
                        index += 2
                    }
                case 0..<0x20:
                    return false
                default:
                    index += 1
                }
            }
            return false
        }

        /// Reads a (valid) string at `index`, unescaped to UTF-8 bytes; lone surrogates become U+FFFD.
        mutating func readString() -> [UInt8]? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return out
                }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { return nil }
                let escape = bytes[index + 1]
                if let simple = Self.simpleEscape(escape) {
                    out.append(simple)
                    index += 2
                    continue
                }
                guard let unit = hex4(at: index + 2) else { return nil }
                index += 6
                var scalar = Unicode.Scalar(UInt32(unit))
                if (0xD800..<0xDC00).contains(unit), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(at: index + 2),
                    (0xDC00..<0xE000).contains(low)
                {
                    scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
                    index += 6
                }
                UTF8.encode(scalar ?? "\u{FFFD}") { out.append($0) }
            }
            return nil
        }

        private func hex4(at position: Int) -> UInt16? {
            guard position + 4 <= bytes.count else { return nil }
            var value: UInt16 = 0
            for byte in bytes[position..<(position + 4)] {
                guard let digit = Self.hexValue(byte) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            return value
        }

        static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        static func simpleEscape(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        }
    }
}
