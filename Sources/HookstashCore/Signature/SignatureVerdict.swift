/// What a signature check concluded. The status is about the signature itself; clock skew and similar
/// facts are `warnings` and never change it.
public enum SignatureStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case valid
    case invalid
    /// The request carries no signature header for the scheme.
    case missing
    /// No secret is configured for the scheme, so nothing could be checked.
    case unchecked
}

public struct SignatureVerdict: Sendable, Hashable, Codable {
    /// Scheme name as on the command line (`front`, `github`, …).
    public var scheme: String
    public var status: SignatureStatus
    /// The header the signature was read from.
    public var header: String?
    /// The signature as received.
    public var received: String?
    /// The signature computed with the first configured secret.
    public var expected: String?
    /// Which configured secret matched, counting from 1, when several are configured (rotation).
    public var matchedSecret: Int?
    /// One sentence per variant that would have matched, or what was compared when none did.
    public var diagnosis: [String]
    /// Facts that do not change the status (timestamp skew, legacy header used, …).
    public var warnings: [String]

    public init(
        scheme: String, status: SignatureStatus, header: String? = nil, received: String? = nil,
        expected: String? = nil, matchedSecret: Int? = nil, diagnosis: [String] = [], warnings: [String] = []
    ) {
        self.scheme = scheme
        self.status = status
        self.header = header
        self.received = received
        self.expected = expected
        self.matchedSecret = matchedSecret
        self.diagnosis = diagnosis
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case scheme, status, header, received, expected
        case matchedSecret = "matched_secret"
        case diagnosis, warnings
    }
}

extension SignatureVerdict {
    /// The verdict as JSON, written directly: it is stored with every capture, on the capture path.
    /// Decodes with `Codable` to an equal value.
    public var jsonText: String {
        func string(_ value: String?) -> String {
            guard let value else { return "null" }
            var out = "\""
            JSONText.appendEscaped(value, to: &out)
            return out + "\""
        }
        func strings(_ values: [String]) -> String {
            "[" + values.map { string($0) }.joined(separator: ",") + "]"
        }
        return "{\"scheme\":\(string(scheme)),\"status\":\"\(status.rawValue)\",\"header\":\(string(header)),"
            + "\"received\":\(string(received)),\"expected\":\(string(expected)),"
            + "\"matched_secret\":\(matchedSecret.map(String.init) ?? "null"),"
            + "\"diagnosis\":\(strings(diagnosis)),\"warnings\":\(strings(warnings))}"
    }
}
