/// The subset of TOML hookstash's configuration uses: `[tables]`, `[[arrays of tables]]`, `key = value` with bare,
/// quoted and dotted keys, basic and literal strings (single- and multi-line, with escapes), integers, booleans,
/// arrays, and `#` comments. Floats, dates and inline tables are rejected with a message saying so.
///
/// The document is kept as the sequence of sections the file declares, which is all the configuration model needs
/// and lets every error name its line.
struct TOMLDocument: Sendable {
    indirect enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int64)
        case boolean(Bool)
        case array([Value])

        /// `a string`, `an integer`: for messages.
        var kind: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .boolean: "a boolean"
            case .array: "an array"
            }
        }
    }

    struct Entry: Sendable {
        /// Dotted keys are joined with `.`.
        var key: String
        var value: Value
        var line: Int
    }

    struct Section: Sendable {
        /// Empty for the root (keys before any header).
        var path: [String]
        var isArrayElement: Bool
        var line: Int
        var entries: [Entry]

        /// `[endpoint.response]`, `[[endpoint]]`, `the top level`.
        var header: String {
            if path.isEmpty { return "the top level" }
            let name = path.joined(separator: ".")
            return isArrayElement ? "[[\(name)]]" : "[\(name)]"
        }
    }

    var sections: [Section]

    init(parsing text: String) throws(ConfigurationError) {
        var parser = TOMLParser(text)
        sections = try parser.document()
    }
}

private struct TOMLParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if current == "\n" { line += 1 }
        index += 1
    }

    private func error(_ message: String) -> ConfigurationError { .syntax(line: line, message) }

    private func describe(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "the end of the file" }
        switch scalar {
        case "\n": return "the end of the line"
        case "\t": return "a tab"
        default: return "'\(scalar)'"
        }
    }

    mutating func document() throws(ConfigurationError) -> [TOMLDocument.Section] {
        var sections = [TOMLDocument.Section(path: [], isArrayElement: false, line: 1, entries: [])]
        var definedTables: Set<[String]> = []
        while true {
            skipBlank()
            guard let scalar = current else { break }
            if scalar == "\n" || scalar == "#" {
                try endOfLine()
                continue
            }
            if scalar == "[" {
                let headerLine = line
                advance()
                let isArray = current == "["
                if isArray { advance() }
                skipBlank()
                let path = try key()
                skipBlank()
                guard current == "]" else {
                    throw error("expected ']' to close the table header, found \(describe(current))")
                }
                advance()
                if isArray {
                    guard current == "]" else { throw error("expected ']]' to close the array-of-tables header") }
                    advance()
                    // A new element starts afresh: its sub-tables may be defined again.
                    definedTables = definedTables.filter {
                        !($0.count > path.count && Array($0.prefix(path.count)) == path)
                    }
                } else {
                    guard definedTables.insert(path).inserted else {
                        throw error("the table [\(path.joined(separator: "."))] is defined twice")
                    }
                }
                try endOfLine()
                sections.append(.init(path: path, isArrayElement: isArray, line: headerLine, entries: []))
                continue
            }
            let entryLine = line
            let path = try key()
            skipBlank()
            guard current == "=" else {
                throw error("expected '=' after the key '\(path.joined(separator: "."))', found \(describe(current))")
            }
            advance()
            skipBlank()
            let value = try value()
            try endOfLine()
            let name = path.joined(separator: ".")
            if sections[sections.count - 1].entries.contains(where: { $0.key == name }) {
                throw ConfigurationError.syntax(
                    line: entryLine, "the key '\(name)' is set twice in \(sections[sections.count - 1].header)")
            }
            sections[sections.count - 1].entries.append(.init(key: name, value: value, line: entryLine))
        }
        return sections
    }

    private mutating func skipBlank() {
        while current == " " || current == "\t" { advance() }
    }

    /// Optional comment, then a newline or the end of the file.
    private mutating func endOfLine() throws(ConfigurationError) {
        skipBlank()
        if current == "#" {
            while let scalar = current, scalar != "\n" { advance() }
        }
        if current == "\r", peek(1) == "\n" { advance() }
        guard current == nil || current == "\n" else {
            throw error("expected the end of the line, found \(describe(current))")
        }
        if current != nil { advance() }
    }

    /// Skips whitespace, newlines and comments (inside arrays).
    private mutating func skipBlankLines() {
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
            } else if scalar == "#" {
                while let inner = current, inner != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func key() throws(ConfigurationError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlank()
            switch current {
            case "\"":
                parts.append(try basicString())
            case "'":
                parts.append(try literalString())
            case let scalar? where Self.isBare(scalar):
                var name = ""
                while let scalar = current, Self.isBare(scalar) {
                    name.unicodeScalars.append(scalar)
                    advance()
                }
                parts.append(name)
            default:
                throw error("expected a key, found \(describe(current))")
            }
            skipBlank()
            guard current == "." else { return parts }
            advance()
        }
    }

    private static func isBare(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "-"
    }

    /// Arrays nested deeper than this are refused: parsing (and freeing) nested values recurses, and a file of a
    /// few hundred kilobytes of `[` would otherwise exhaust the stack. The configuration uses flat arrays.
    static let maximumArrayDepth = 32

    private mutating func value(depth: Int = 0) throws(ConfigurationError) -> TOMLDocument.Value {
        switch current {
        case "\"":
            if peek(1) == "\"", peek(2) == "\"" { return .string(try multilineString(literal: false)) }
            return .string(try basicString())
        case "'":
            if peek(1) == "'", peek(2) == "'" { return .string(try multilineString(literal: true)) }
            return .string(try literalString())
        case "[":
            return try array(depth: depth + 1)
        case "{":
            throw error("inline tables are not supported; write a [table] section instead")
        case nil, "\n", "#":
            throw error("expected a value after '='")
        default:
            var word = ""
            while let scalar = current, !" \t\n\r#,]".unicodeScalars.contains(scalar) {
                word.unicodeScalars.append(scalar)
                advance()
            }
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            let digits = word.filter { $0 != "_" }
            if !word.hasPrefix("_"), !word.hasSuffix("_"), !word.contains("__"), let number = Int64(digits) {
                return .integer(number)
            }
            if word.contains(".") || word.contains("e") || word.contains("E") || word.contains("-")
                || word.contains(":")
            {
                if Double(digits) != nil || word.contains("-") || word.contains(":") {
                    throw error("'\(word)' is a float or a date, which hookstash's configuration does not use")
                }
            }
            throw error("'\(word)' is not a value; strings need quotes (\"…\" or '…')")
        }
    }

    private mutating func array(depth: Int) throws(ConfigurationError) -> TOMLDocument.Value {
        let startLine = line
        guard depth <= Self.maximumArrayDepth else {
            throw error("arrays are nested more than \(Self.maximumArrayDepth) deep")
        }
        advance()  // [
        var items: [TOMLDocument.Value] = []
        while true {
            skipBlankLines()
            if current == "]" {
                advance()
                return .array(items)
            }
            guard current != nil else {
                throw ConfigurationError.syntax(line: startLine, "the array that starts here is not closed with ']'")
            }
            items.append(try value(depth: depth))
            skipBlankLines()
            if current == nil {
                throw ConfigurationError.syntax(line: startLine, "the array that starts here is not closed with ']'")
            }
            if current == "," {
                advance()
            } else if current == "]" {
                advance()
                return .array(items)
            } else {
                throw error("expected ',' or ']' in the array, found \(describe(current))")
            }
        }
    }

    private mutating func basicString() throws(ConfigurationError) -> String {
        advance()  // "
        var out = ""
        while true {
            guard let scalar = current, scalar != "\n" else {
                throw error("the string is not closed with '\"' on this line")
            }
            advance()
            if scalar == "\"" { return out }
            if scalar == "\\" {
                out.unicodeScalars.append(try escape())
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    private mutating func literalString() throws(ConfigurationError) -> String {
        advance()  // '
        var out = ""
        while true {
            guard let scalar = current, scalar != "\n" else {
                throw error("the string is not closed with \"'\" on this line")
            }
            advance()
            if scalar == "'" { return out }
            out.unicodeScalars.append(scalar)
        }
    }

    /// `"""…"""` or `'''…'''`; a newline right after the opening quotes is dropped.
    private mutating func multilineString(literal: Bool) throws(ConfigurationError) -> String {
        let quote: Unicode.Scalar = literal ? "'" : "\""
        let startLine = line
        advance()
        advance()
        advance()
        if current == "\r", peek(1) == "\n" { advance() }
        if current == "\n" { advance() }
        var out = ""
        while true {
            guard let scalar = current else {
                throw ConfigurationError.syntax(
                    line: startLine,
                    "the multi-line string is not closed with \(String(repeating: String(quote), count: 3))")
            }
            if scalar == quote, peek(1) == quote, peek(2) == quote {
                advance()
                advance()
                advance()
                return out
            }
            advance()
            if scalar == "\\", !literal {
                // A backslash at the end of a line trims the line break and the next line's leading whitespace.
                if current == "\n" || (current == "\r" && peek(1) == "\n") || current == " " || current == "\t" {
                    while let next = current, next == " " || next == "\t" || next == "\n" || next == "\r" { advance() }
                    continue
                }
                out.unicodeScalars.append(try escape())
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    private mutating func escape() throws(ConfigurationError) -> Unicode.Scalar {
        guard let scalar = current else { throw error("the string ends in the middle of an escape") }
        advance()
        switch scalar {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let count = scalar == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<count {
                guard let digit = current, digit.properties.isASCIIHexDigit else {
                    throw error("\\\(scalar) needs \(count) hexadecimal digits")
                }
                hex.unicodeScalars.append(digit)
                advance()
            }
            guard let value = UInt32(hex, radix: 16), let result = Unicode.Scalar(value) else {
                throw error("\\\(scalar)\(hex) is not a Unicode scalar value")
            }
            return result
        default:
            throw error("'\\\(scalar)' is not an escape TOML knows (use \\\\ for a backslash)")
        }
    }
}
