/// A response rule's text with fields taken from the request: `{{id}}`, `{{method}}`, `{{path}}`, `{{query.x}}`,
/// `{{header.Name}}`, `{{json./pointer}}`. Parsed once, when the configuration is loaded, into literal and field
/// parts; rendering never fails: a field that is absent renders empty, and the output is cut at a byte bound.
///
/// Nothing is escaped (a body is raw bytes); header values are cleaned by `RuleAnswer` before they are sent.
public struct ResponseTemplate: Sendable, Hashable, CustomStringConvertible {
    /// A value taken from the request.
    public enum Field: Sendable, Hashable {
        /// The capture's id.
        case id
        case method
        /// The path, without the query, as sent.
        case path
        /// The first query parameter with this name, percent-decoded.
        case query(String)
        /// The first header field with this name (ASCII case-insensitive).
        case header(String)
        /// The value the pointer names in a JSON body (a string's contents unescaped, other values as written).
        case json(JSONPointer)
    }

    public enum Part: Sendable, Hashable {
        case literal([UInt8])
        case field(Field)
    }

    /// Why a template's text cannot be read.
    public struct SyntaxError: Error, Sendable, Hashable {
        public enum Code: String, Sendable, Hashable {
            /// `{{` without a closing `}}`.
            case unclosed
            /// `{{…}}` naming no known field.
            case unknownField = "unknown_field"
            /// `{{query.}}`, `{{header.}}`: a field without a name.
            case emptyName = "empty_name"
            /// `{{json.…}}` whose pointer cannot be read.
            case badPointer = "bad_pointer"
        }
        public var code: Code
        /// The field's text between the braces (empty for `unclosed`).
        public var field: String
        /// 0-based UTF-8 offset of the `{{` in the template.
        public var offset: Int

        public init(_ code: Code, field: String, offset: Int) {
            self.code = code
            self.field = field
            self.offset = offset
        }
    }

    public let parts: [Part]
    /// The template as written.
    public let description: String

    /// A template that renders nothing.
    public static let empty = ResponseTemplate(parts: [], description: "")

    private init(parts: [Part], description: String) {
        self.parts = parts
        self.description = description
    }

    public init(parsing text: String) throws(SyntaxError) {
        description = text
        let bytes = Array(text.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") {
                let start = index
                var end = index + 2
                var closed = false
                while end + 1 < bytes.count {
                    if bytes[end] == UInt8(ascii: "}"), bytes[end + 1] == UInt8(ascii: "}") {
                        closed = true
                        break
                    }
                    end += 1
                }
                guard closed else { throw SyntaxError(.unclosed, field: "", offset: start) }
                let name = String(decoding: bytes[(start + 2)..<end], as: UTF8.self)
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = []
                }
                parts.append(.field(try Self.field(name, offset: start)))
                index = end + 2
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    private static func field(_ text: String, offset: Int) throws(SyntaxError) -> Field {
        let name = text.trimmingSpaces()
        switch name {
        case "id": return .id
        case "method": return .method
        case "path": return .path
        default: break
        }
        for (prefix, make) in [("query.", Field.query), ("header.", Field.header)] where name.hasPrefix(prefix) {
            let rest = String(name.dropFirst(prefix.count))
            guard !rest.isEmpty else { throw SyntaxError(.emptyName, field: name, offset: offset) }
            return make(rest)
        }
        if name.hasPrefix("json.") {
            do {
                return .json(try JSONPointer(parsing: String(name.dropFirst("json.".count))))
            } catch {
                throw SyntaxError(.badPointer, field: name, offset: offset)
            }
        }
        throw SyntaxError(.unknownField, field: name, offset: offset)
    }

    /// Whether the template uses `field`.
    public func uses(_ field: Field) -> Bool { parts.contains(.field(field)) }

    /// Every field filled in from `request` except `{{id}}` (not known before the capture is stored), each field's
    /// value and the whole cut at `limit` bytes.
    public func resolve(_ request: RuleRequest, limit: Int) -> PendingText {
        var out = PendingText()
        for part in parts {
            switch part {
            case .literal(let bytes): out.append(bytes, limit: limit)
            case .field(.id): out.appendID(limit: limit)
            case .field(let field): out.append(request.value(of: field), limit: limit)
            }
        }
        return out
    }

    /// Rendered at once (no `{{id}}` known: it renders `id`).
    public func render(_ request: RuleRequest, id: Int64, limit: Int) -> [UInt8] {
        resolve(request, limit: limit).render(id: id, limit: limit)
    }
}

/// A template with every field but the capture id filled in.
public struct PendingText: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case bytes([UInt8])
        case id
    }
    public private(set) var parts: [Part] = []
    /// Bytes held so far (the id counts as nothing until rendered).
    public private(set) var size = 0

    public init() {}

    public init(_ bytes: [UInt8]) {
        append(bytes, limit: Int.max)
    }

    mutating func append(_ bytes: some Collection<UInt8>, limit: Int) {
        let room = max(0, limit - size)
        guard room > 0, !bytes.isEmpty else { return }
        let kept = Array(bytes.prefix(room))
        size += kept.count
        if case .bytes(let previous) = parts.last {
            parts[parts.count - 1] = .bytes(previous + kept)
        } else {
            parts.append(.bytes(kept))
        }
    }

    mutating func appendID(limit: Int) {
        guard size < limit else { return }
        parts.append(.id)
    }

    /// The bytes with `id` in place of `{{id}}`, cut at `limit`.
    public func render(id: Int64, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .bytes(let bytes): out += bytes
            case .id: out += Array(String(id).utf8)
            }
            if out.count >= limit { return Array(out.prefix(limit)) }
        }
        return out
    }
}

/// The request a rule looks at: what its criteria match and its templates read.
public struct RuleRequest: Sendable {
    public var method: String
    public var target: RequestTarget
    public var headers: HeaderList
    /// The decoded body; nil when it was not loaded (json fields then render empty, json criteria miss).
    public let body: [UInt8]?
    public var signature: SignatureStatus?
    /// The body parsed once for every `{{json…}}` field (nil: no body, not JSON, or over
    /// `JSONValueReader.maximumSize`).
    private let document: JSONValue?

    public init(
        method: String, target: RequestTarget, headers: HeaderList, body: [UInt8]?, signature: SignatureStatus?
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.signature = signature
        document = body.flatMap { JSONValue.parse($0, sizeLimit: JSONValueReader.maximumSize) }
    }

    public var matchSubject: MatchSubject {
        MatchSubject(method: method, target: target, headers: headers, body: body, signature: signature)
    }

    /// A field's bytes; empty when absent (`{{id}}` is filled in later and renders empty here).
    public func value(of field: ResponseTemplate.Field) -> [UInt8] {
        switch field {
        case .id: return []
        case .method: return Array(method.utf8)
        case .path: return Array(target.path.utf8)
        case .query(let name): return QueryParameters(target.query).values(name).first ?? []
        case .header(let name): return headers.first(name).map { Array($0.utf8) } ?? []
        case .json(let pointer):
            guard let value = document?.value(at: pointer) else { return [] }
            return Array(value.matchText.utf8)
        }
    }
}
