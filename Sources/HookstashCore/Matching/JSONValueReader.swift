/// What a JSON Pointer finds in a body.
public enum JSONLookup: Sendable, Hashable {
    /// The value's text (`JSONValue.matchText`).
    case found([UInt8])
    /// The pointer names nothing in the document.
    case missing
    /// The body is not one JSON value (or is larger than `JSONValueReader.maximumSize`, or nests deeper than
    /// `JSONValue.depthLimit`).
    case notJSON
}

/// Pointer lookups in a body, over the one bounded JSON parser of Core (`JSONValue`).
public enum JSONValueReader {
    public static let maximumDepth = JSONValue.depthLimit
    /// Larger bodies are not parsed.
    public static let maximumSize = 1 << 20

    public static func value(at pointer: JSONPointer, in body: [UInt8]) -> JSONLookup {
        guard let document = JSONValue.parse(body, sizeLimit: maximumSize) else { return .notJSON }
        guard let value = document.value(at: pointer) else { return .missing }
        return .found(Array(value.matchText.utf8))
    }

    /// Whether `body` is one JSON value within the bounds.
    public static func isJSON(_ body: [UInt8]) -> Bool {
        JSONValue.parse(body, sizeLimit: maximumSize) != nil
    }
}

extension JSONValue {
    /// The value `pointer` names (RFC 6901), or nil. Where an object repeats a member name, the last one counts (as
    /// most JSON parsers a receiver uses do).
    public func value(at pointer: JSONPointer) -> JSONValue? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let members):
                // By bytes: `String` equality would take canonically equivalent names for the same member.
                guard let member = members.last(where: { $0.key.utf8.elementsEqual(token) }) else { return nil }
                current = member.value
            case .array(let items):
                guard let index = JSONPointer.arrayIndex(token), index < items.count else { return nil }
                current = items[index]
            case .string, .literal:
                return nil
            }
        }
        return current
    }

    /// The text a match glob is compared with: a string's contents (decoded); a number, `true`, `false` or `null`
    /// as written; an object or array as compact JSON (no whitespace, strings escaped as `JSONText` does).
    public var matchText: String {
        switch self {
        case .string(let text): return text
        case .literal(let text): return text
        case .object, .array:
            var out = ""
            appendCompact(to: &out)
            return out
        }
    }

    /// Compact JSON, iterating an explicit stack (depth is bounded by the parser, but the writer does not rely on it).
    private func appendCompact(to out: inout String) {
        enum Step {
            case value(JSONValue)
            case text(String)
        }
        var steps: [Step] = [.value(self)]
        while let step = steps.popLast() {
            switch step {
            case .text(let text):
                out += text
            case .value(.string(let text)):
                out += "\"" + JSONText.escaped(text) + "\""
            case .value(.literal(let text)):
                out += text
            case .value(.array(let items)):
                out += "["
                steps.append(.text("]"))
                for (index, item) in items.enumerated().reversed() {
                    steps.append(.value(item))
                    if index > 0 { steps.append(.text(",")) }
                }
            case .value(.object(let members)):
                out += "{"
                steps.append(.text("}"))
                for (index, member) in members.enumerated().reversed() {
                    steps.append(.value(member.value))
                    steps.append(.text("\"" + JSONText.escaped(member.key) + "\":"))
                    if index > 0 { steps.append(.text(",")) }
                }
            }
        }
    }
}
