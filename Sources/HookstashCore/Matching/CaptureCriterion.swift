/// One match key, parsed from the text the configuration file and the command line both use.
public enum CaptureCriterion: Sendable, Hashable {
    /// Exact and case-sensitive (HTTP methods are).
    case method(String)
    /// A glob on the path (without the query).
    case path(GlobPattern)
    /// `Name: glob`: the name compared ASCII case-insensitively, the glob case-sensitively on the value; matches
    /// when any field with that name matches.
    case header(name: String, value: GlobPattern)
    /// `name=glob` on the percent-decoded query parameters; matches when any parameter with that name matches.
    case query(name: String, value: GlobPattern)
    /// `/a/b = glob` on the text of the value the pointer names (a string's contents unescaped; a number, `true`,
    /// `false`, `null` as written; an object or array as compact JSON).
    case json(pointer: JSONPointer, value: GlobPattern)
    case signature(SignatureStatusCriterion)

    /// `Name: glob`; spaces and tabs around the name and the value are dropped.
    public static func header(parsing text: String) throws(CriterionSyntaxError) -> CaptureCriterion {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw CriterionSyntaxError(.headerMissingColon, text: text)
        }
        let name = trimmed(text[..<colon])
        guard !name.isEmpty, name.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
            throw CriterionSyntaxError(.headerNameInvalid, text: text)
        }
        return .header(name: name, value: GlobPattern(trimmed(text[text.utf8.index(after: colon)...])))
    }

    /// `name=glob`, split at the first `=`; the name is taken as written (not decoded), the glob is matched
    /// against decoded values.
    public static func query(parsing text: String) throws(CriterionSyntaxError) -> CaptureCriterion {
        guard let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) else {
            throw CriterionSyntaxError(.queryMissingEquals, text: text)
        }
        let name = String(text[..<equals])
        guard !name.isEmpty else { throw CriterionSyntaxError(.queryNameEmpty, text: text) }
        return .query(name: name, value: GlobPattern(String(text[text.utf8.index(after: equals)...])))
    }

    /// `/pointer = glob`: split at the first ` = ` when there is one (so a pointer may hold `=`), else at the
    /// first `=`; spaces and tabs around both sides are dropped.
    public static func json(parsing text: String) throws(CriterionSyntaxError) -> CaptureCriterion {
        let separator: Range<String.Index>
        if let spaced = text.firstRange(of: " = ") {
            separator = spaced
        } else if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
            separator = equals..<text.utf8.index(after: equals)
        } else {
            throw CriterionSyntaxError(.jsonMissingEquals, text: text)
        }
        let pointer: JSONPointer
        do {
            pointer = try JSONPointer(parsing: trimmed(text[..<separator.lowerBound]))
        } catch {
            throw CriterionSyntaxError(error.code, text: text)
        }
        return .json(pointer: pointer, value: GlobPattern(trimmed(text[separator.upperBound...])))
    }

    /// A method: an HTTP token, kept as written.
    public static func method(parsing text: String) throws(CriterionSyntaxError) -> CaptureCriterion {
        guard !text.isEmpty, text.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
            throw CriterionSyntaxError(.methodInvalid, text: text)
        }
        return .method(text)
    }

    /// `valid`, `invalid`, `missing` or `unchecked`.
    public static func signature(parsing text: String) throws(CriterionSyntaxError) -> CaptureCriterion {
        .signature(try SignatureStatusCriterion(parsing: text))
    }

    /// The criterion written back in the syntax it is parsed from (`Stripe-Signature: t=*`, `/type = invoice.*`).
    public var text: String {
        switch self {
        case .method(let method): method
        case .path(let glob): glob.description
        case .header(let name, let value): "\(name): \(value)"
        case .query(let name, let value): "\(name)=\(value)"
        case .json(let pointer, let value): "\(pointer) = \(value)"
        case .signature(let status): status.rawValue
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        let utf8 = text.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }
}
