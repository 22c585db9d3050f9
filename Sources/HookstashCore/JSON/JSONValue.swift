/// A JSON document as received: object members in order (duplicates kept), numbers and `true`/`false`/`null` as
/// their literal text, strings decoded. Parsed over bytes with bounded size and depth, for what reads captured JSON:
/// the signature diagnosis (re-serialization), match criteria (`json=` pointers) and diffs.
public indirect enum JSONValue: Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The literal as received: a number, `true`, `false` or `null`.
    case literal(String)

    /// Nesting deeper than this is not parsed (the document is then not JSON to hookstash).
    public static let depthLimit = 64

    /// The document `bytes` holds, or nil when it is not JSON, is larger than `sizeLimit` bytes or nests deeper
    /// than `depthLimit`.
    public static func parse(_ bytes: [UInt8], sizeLimit: Int = 1 << 20) -> JSONValue? {
        guard bytes.count <= sizeLimit else { return nil }
        var parser = JSONParser(bytes: bytes)
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == bytes.count ? value : nil
    }
}

extension JSONValue {
    /// The byte range of the value `tokens` names in `bytes`.
    static func range(of tokens: ArraySlice<[UInt8]>, in bytes: [UInt8]) -> Range<Int>? {
        var parser = JSONParser(bytes: bytes)
        return parser.locate(tokens, depth: 0)
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 else { return }
            index += 1
        }
    }

    mutating func value(depth: Int) -> JSONValue? {
        guard depth < JSONValue.depthLimit else { return nil }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value(depth: depth + 1) else { return nil }
                members.append((key, member))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "\""):
            return string().map(JSONValue.string)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"):
            let start = index
            while index < bytes.count, index - start < 1024 {
                let byte = bytes[index]
                if byte == 0x2c || byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 || byte == 0x5d
                    || byte == 0x7d
                {
                    break
                }
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            let isLiteral = ["true", "false", "null"].contains(text) || Self.isNumber(bytes[start..<index])
            return isLiteral ? .literal(text) : nil
        default:
            return nil
        }
    }

    mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var units: [UInt16] = []
        var raw: [UInt8] = []
        func flushRaw() {
            units.append(contentsOf: String(decoding: raw, as: UTF8.self).utf16)
            raw.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                flushRaw()
                return String(decoding: units, as: UTF16.self)
            case UInt8(ascii: "\\"):
                flushRaw()
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): units.append(0x0a)
                case UInt8(ascii: "r"): units.append(0x0d)
                case UInt8(ascii: "t"): units.append(0x09)
                case UInt8(ascii: "b"): units.append(0x08)
                case UInt8(ascii: "f"): units.append(0x0c)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                        let value = UInt16(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                    else { return nil }
                    units.append(value)
                    index += 4
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): units.append(UInt16(escape))
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                raw.append(byte)
            }
        }
        return nil
    }

    /// The byte range of the value `tokens` (a JSON pointer's, unescaped) names, at the parser's position; nil when
    /// it names nothing or the text is not JSON. Where an object repeats a member name, the last one counts.
    mutating func locate(_ tokens: ArraySlice<[UInt8]>, depth: Int) -> Range<Int>? {
        skipWhitespace()
        guard let token = tokens.first else {
            let start = index
            guard value(depth: depth) != nil else { return nil }
            return start..<index
        }
        guard depth < JSONValue.depthLimit, index < bytes.count else { return nil }
        let opening = bytes[index]
        guard opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[") else { return nil }
        let isObject = opening == UInt8(ascii: "{")
        let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let wantedIndex = isObject ? nil : JSONPointer.arrayIndex(token)
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == closing { return nil }
        var found: Range<Int>?
        var position = 0
        while true {
            skipWhitespace()
            var matches = wantedIndex == position
            if isObject {
                guard let key = string() else { return nil }
                matches = key.utf8.elementsEqual(token)
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
            }
            if matches {
                var inner = self
                found = inner.locate(tokens.dropFirst(), depth: depth + 1)
            }
            guard value(depth: depth + 1) != nil else { return nil }
            position += 1
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == closing {
                index += 1
                return found
            } else {
                return nil
            }
        }
    }

    /// RFC 8259's number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    static func isNumber(_ text: ArraySlice<UInt8>) -> Bool {
        var index = text.startIndex
        func digits() -> Int {
            let start = index
            while index < text.endIndex, (0x30...0x39).contains(text[index]) { index += 1 }
            return index - start
        }
        if index < text.endIndex, text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.endIndex else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < text.endIndex, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
            index += 1
            if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == text.endIndex
    }
}
