import HookstashCore

/// Re-serializes a JSON body the ways frameworks and languages write it after parsing, for the diagnosis.
/// Key order and number text are kept as received; only whitespace, key sorting and string escaping change.
enum JSONReserialization {
    typealias Node = JSONValue

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

    static func parse(_ bytes: [UInt8]) -> Node? {
        JSONValue.parse(bytes, sizeLimit: sizeLimit)
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
}
