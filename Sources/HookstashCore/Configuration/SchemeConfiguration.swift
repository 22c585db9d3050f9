/// One `[[scheme]]` of the configuration: a custom HMAC signing scheme, described by the same fields as a built-in
/// one, that an `[[endpoint]]` names with `scheme = "<name>"`.
///
/// ```toml
/// [[scheme]]
/// name = "acme"
/// header = "X-Acme-Signature"
/// algorithm = "sha256"
/// encoding = "hex"
/// prefix = "sha256="
/// signed = "{timestamp}.{body}"
/// timestamp_header = "X-Acme-Timestamp"
/// tolerance = 300
/// ```
public struct SchemeConfiguration: Sendable, Hashable {
    /// How the MAC is written.
    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        case hex
        case base64
        case base64url
    }

    /// How the configured secret becomes the HMAC key.
    public enum SecretEncoding: String, Sendable, Hashable, CaseIterable {
        /// Its UTF-8 bytes (a `secret_prefix` included).
        case text
        /// The base64 after `secret_prefix`, decoded.
        case base64
    }

    /// A value of the request a `signed` template names.
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        case body
        case timestamp
        case id
        case method
        case url
    }

    /// One piece of a `signed` template.
    public enum TemplatePart: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public var name: String
    /// For sentences (`Acme`); the name when not given.
    public var provider: String
    public var header: String
    public var algorithm: DigestAlgorithm = .sha256
    public var encoding: Encoding = .hex
    /// Before the encoded MAC in a plain header value (`sha256=`).
    public var prefix: String = ""
    /// Set for `t=…,v1=…` headers: the key whose values are signatures (`v1`).
    public var signatureKey: String?
    /// Between the `key=value` items of such a header.
    public var separator: Character = ","
    public var signed: [TemplatePart] = [.placeholder(.body)]
    public var timestampHeader: String?
    /// The timestamp as a `key=value` item of the signature header (`t`).
    public var timestampKey: String?
    public var timestampInMilliseconds = false
    public var toleranceSeconds: Int?
    public var idHeader: String?
    public var secretEncoding: SecretEncoding = .text
    public var secretPrefix: String?
    /// The line of the `[[scheme]]` header.
    public var line: Int

    public init(name: String, header: String, line: Int = 0) {
        self.name = name
        self.provider = name
        self.header = header
        self.line = line
    }

    /// The placeholders a `signed` template may name, as written in it.
    public static var placeholderNames: [String] { Placeholder.allCases.map { "{\($0.rawValue)}" } }

    /// Parses a `signed` template: `{body}`, `{timestamp}`, `{id}`, `{method}`, `{url}` and literal text between
    /// them; `{{` and `}}` stand for literal braces. A failure names what is wrong.
    public static func parseTemplate(_ text: String) -> Result<[TemplatePart], TemplateProblem> {
        var parts: [TemplatePart] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{")
                index = text.index(after: next)
                continue
            }
            if character == "}" {
                guard next < text.endIndex, text[next] == "}" else { return .failure(.unmatchedBrace) }
                literal.append("}")
                index = text.index(after: next)
                continue
            }
            guard character == "{" else {
                literal.append(character)
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else { return .failure(.unmatchedBrace) }
            let name = String(text[next..<close])
            guard let placeholder = Placeholder(rawValue: name) else { return .failure(.unknownPlaceholder(name)) }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.placeholder(placeholder))
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard parts.contains(.placeholder(.body)) else { return .failure(.bodyMissing) }
        return .success(parts)
    }

    /// Why a `signed` template cannot be used.
    public enum TemplateProblem: Error, Sendable, Hashable, CustomStringConvertible {
        case unmatchedBrace
        case unknownPlaceholder(String)
        case bodyMissing

        public var description: String {
            switch self {
            case .unmatchedBrace: "a '{' or '}' is not matched (write '{{' and '}}' for literal braces)"
            case .unknownPlaceholder(let name):
                "unknown placeholder '{\(name)}'; expected one of "
                    + SchemeConfiguration.placeholderNames.joined(separator: ", ")
            case .bodyMissing: "it does not include {body}, so the body would not be verified"
            }
        }
    }
}
