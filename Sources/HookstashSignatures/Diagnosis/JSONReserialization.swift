import HookstashCore

/// Re-serializes a JSON body the ways frameworks and languages write it after parsing, for the diagnosis.
/// Key order and number text are kept as received; only whitespace, key sorting and string escaping change.
enum JSONReserialization {
    indirect enum Node {
        case object([(String, Node)])
        case array([Node])
        case string(String)
        /// The literal as received: a number, `true`, `false` or `null`.
        case literal(String)
    }

    struct Style {
        /// The finding when the body matches in this style.
        var code: SignatureFinding.Code
        var itemSeparator = ","
        var keySeparator = ":"
        var indent: Int? = nil
        var sortKeys = false
        var escapeNonASCII = false
        var escapeSlash = false
    }

    static let styles: [Style] = [
        // As JSON.stringify writes it: no whitespace, non-ASCII as literal UTF-8.
        Style(code: .bodyReserializedCompact),
        Style(code: .bodyReserializedPretty2, keySeparator: ": ", indent: 2),
        Style(code: .bodyReserializedPretty4, keySeparator: ": ", indent: 4),
        // Python's json.dumps: ', ' and ': ' separators, non-ASCII escaped as \uXXXX.
        Style(code: .bodyReserializedPython, itemSeparator: ", ", keySeparator: ": ", escapeNonASCII: true),
        Style(code: .bodyReserializedSortedKeys, sortKeys: true),
        Style(code: .bodyReserializedEscapedNonASCII, escapeNonASCII: true),
        // As PHP's json_encode writes it.
        Style(code: .bodyReserializedEscapedSlashes, escapeSlash: true),
    ]

    /// Bodies larger than this are not re-serialized; a diagnosis stays cheap.
    static let sizeLimit = 256 * 1024
    static let depthLimit = 64

    static func parse(_ bytes: [UInt8]) -> Node? {
        guard bytes.count <= sizeLimit else { return nil }
        var parser = Parser(bytes: bytes)
        guard let node = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == bytes.count ? node : nil
    }

    static func serialize(_ node: Node, _ style: Style) -> [UInt8] {
        var out: [UInt8] = []
        _ = write(node, style, level: 0, limit: .max, into: &out)
        return out
    }

    /// The serialization, or nil as soon as it would be longer than `limit` bytes: indentation can make a small,
    /// deeply nested body many times larger, so the output is bounded while it is written.
    static func serialize(_ node: Node, _ style: Style, limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        guard write(node, style, level: 0, limit: limit, into: &out), out.count <= limit else { return nil }
        return out
    }

    /// Returns false once `out` is longer than `limit` (what was written so far is then useless).
    private static func write(_ node: Node, _ style: Style, level: Int, limit: Int, into out: inout [UInt8]) -> Bool {
        guard out.count <= limit else { return false }
        func newline(_ level: Int) {
            guard let indent = style.indent else { return }
            out.append(0x0a)
            out.append(contentsOf: [UInt8](repeating: 0x20, count: indent * level))
        }
        let itemSeparator = Array((style.indent == nil ? style.itemSeparator : ",").utf8)
        switch node {
        case .literal(let text):
            out.append(contentsOf: text.utf8)
        case .string(let text):
            writeString(text, style, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            if !items.isEmpty {
                for (index, item) in items.enumerated() {
                    if index > 0 { out.append(contentsOf: itemSeparator) }
                    newline(level + 1)
                    guard write(item, style, level: level + 1, limit: limit, into: &out) else { return false }
                }
                newline(level)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let ordered =
                style.sortKeys
                ? members.sorted {
                    Array($0.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.0.unicodeScalars.map(\.value))
                }
                : members
            if !ordered.isEmpty {
                for (index, (key, value)) in ordered.enumerated() {
                    if index > 0 { out.append(contentsOf: itemSeparator) }
                    newline(level + 1)
                    writeString(key, style, into: &out)
                    out.append(contentsOf: style.keySeparator.utf8)
                    guard write(value, style, level: level + 1, limit: limit, into: &out) else { return false }
                }
                newline(level)
            }
            out.append(UInt8(ascii: "}"))
        }
        return out.count <= limit
    }

    private static func writeString(_ text: String, _ style: Style, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        func escape(_ unit: UInt16) {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt16(shift)) & 0xf)]) }
        }
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".utf8)
            case "\\": out.append(contentsOf: "\\\\".utf8)
            case "\n": out.append(contentsOf: "\\n".utf8)
            case "\r": out.append(contentsOf: "\\r".utf8)
            case "\t": out.append(contentsOf: "\\t".utf8)
            case "\u{08}": out.append(contentsOf: "\\b".utf8)
            case "\u{0C}": out.append(contentsOf: "\\f".utf8)
            case "/" where style.escapeSlash: out.append(contentsOf: "\\/".utf8)
            default:
                if scalar.value < 0x20 {
                    escape(UInt16(scalar.value))
                } else if scalar.isASCII {
                    out.append(UInt8(scalar.value))
                } else if style.escapeNonASCII {
                    for unit in UTF16.encode(scalar)! { escape(unit) }
                } else {
                    out.append(contentsOf: UTF8.encode(scalar)!)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 else { return }
                index += 1
            }
        }

        mutating func value(depth: Int) -> Node? {
            guard depth < JSONReserialization.depthLimit else { return nil }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, Node)] = []
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
                var items: [Node] = []
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
                return string().map(Node.string)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
                UInt8(ascii: "n"):
                let start = index
                while index < bytes.count, index - start < 64 {
                    let byte = bytes[index]
                    if byte == 0x2c || byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 || byte == 0x5d
                        || byte == 0x7d
                    {
                        break
                    }
                    index += 1
                }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                let isLiteral =
                    ["true", "false", "null"].contains(text)
                    || (!text.isEmpty && text.utf8.allSatisfy { "0123456789+-.eE".utf8.contains($0) })
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
    }
}
