/// Sets one value of a JSON document by pointer, changing only that value's bytes: the rest of the document —
/// whitespace, key order, escapes, number spellings — stays as it was, so an edited capture differs from the
/// original exactly where the user asked.
public enum JSONEdit {
    public struct Failure: Error, Sendable, Hashable {
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// The body is not one JSON value (or is larger than `JSONEdit.sizeLimit`).
            case bodyNotJSON = "body_not_json"
            /// The pointer's parent is missing, or is neither an object nor an array.
            case parentMissing = "json_parent_missing"
            /// An array index beyond the end (only the end itself, or `-`, appends).
            case indexOutOfRange = "json_index_out_of_range"
        }

        public var code: Code
        public var pointer: String

        public init(code: Code, pointer: String) {
            self.code = code
            self.pointer = pointer
        }
    }

    public static let sizeLimit = 1 << 20

    /// `body` with the value at `pointer` replaced by `value` (JSON text), or added when the pointer names a new
    /// member of an object or the end of an array (`/items/-` or `/items/<count>`). Returns the new body and the
    /// replaced value's text (nil when added).
    public static func setting(
        _ pointer: JSONPointer, to value: [UInt8], in body: [UInt8]
    ) throws(Failure) -> (body: [UInt8], was: String?) {
        guard JSONValue.parse(body, sizeLimit: sizeLimit) != nil else {
            throw Failure(code: .bodyNotJSON, pointer: pointer.description)
        }
        if let range = JSONValue.range(of: pointer.tokens[...], in: body) {
            let was = String(decoding: body[range], as: UTF8.self)
            return (Array(body[..<range.lowerBound]) + value + Array(body[range.upperBound...]), was)
        }
        guard let last = pointer.tokens.last,
            let parent = JSONValue.range(of: pointer.tokens.dropLast(), in: body)
        else { throw Failure(code: .parentMissing, pointer: pointer.description) }
        // The parent's closing bracket is its last byte; what comes before it decides whether a comma is needed.
        let closing = parent.upperBound - 1
        var inside = closing - 1
        while inside > parent.lowerBound, [0x20, 0x09, 0x0a, 0x0d].contains(body[inside]) { inside -= 1 }
        let isEmpty = inside == parent.lowerBound
        var insertion: [UInt8] = isEmpty ? [] : [UInt8(ascii: ",")]
        switch body[parent.lowerBound] {
        case UInt8(ascii: "{"):
            insertion += Array("\"\(JSONText.escaped(String(decoding: last, as: UTF8.self)))\":".utf8) + value
        case UInt8(ascii: "["):
            guard let items = JSONValue.parse(Array(body[parent]), sizeLimit: sizeLimit),
                case .array(let array) = items,
                last == Array("-".utf8) || JSONPointer.arrayIndex(last) == array.count
            else { throw Failure(code: .indexOutOfRange, pointer: pointer.description) }
            insertion += value
        default:
            throw Failure(code: .parentMissing, pointer: pointer.description)
        }
        return (Array(body[...inside]) + insertion + Array(body[(inside + 1)...]), nil)
    }

    /// The JSON text of a value given on a command line: itself when it is JSON (`42`, `true`, `{"a":1}`, `"x"`),
    /// else the text as a JSON string.
    public static func valueText(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        if JSONValue.parse(bytes) != nil { return bytes }
        return Array("\"\(JSONText.escaped(text))\"".utf8)
    }
}
