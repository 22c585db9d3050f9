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
    /// Characters of `expected` kept when a verdict is stored or shown anywhere but `hookstash verify`.
    public static let keptExpectedLength = 8

    /// `expected` cut to its first `keptExpectedLength` characters and `…`.
    ///
    /// The expected signature is the HMAC, under the configured secret, of a body the sender chose: stored or shown
    /// whole, anyone who can send a request and read the inspector could have any body signed (a signing oracle).
    /// The first characters are enough to compare it by eye with the signature received.
    public var abbreviatingExpected: SignatureVerdict {
        var verdict = self
        verdict.expected = expected.map(Self.abbreviated)
        return verdict
    }

    static func abbreviated(_ text: String) -> String {
        let kept = text.unicodeScalars.prefix(keptExpectedLength)
        guard kept.count < text.unicodeScalars.count else { return text }
        return String(String.UnicodeScalarView(kept)) + "…"
    }

    /// The verdict as JSON, as it is stored with every capture (on the capture path, so written directly), with
    /// `expected` abbreviated. Decodes with `Codable` to `abbreviatingExpected`.
    public var jsonText: String {
        let expected = self.expected.map(Self.abbreviated)
        var out = ""
        out.reserveCapacity(128 + (received?.utf8.count ?? 0) + (expected?.utf8.count ?? 0))
        func append(_ value: String?) {
            guard let value else { return out += "null" }
            out += "\""
            JSONText.appendEscaped(value, to: &out)
            out += "\""
        }
        func append(_ values: [String]) {
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                append(value)
            }
            out += "]"
        }
        out += "{\"scheme\":"
        append(scheme)
        out += ",\"status\":\""
        out += status.rawValue
        out += "\",\"header\":"
        append(header)
        out += ",\"received\":"
        append(received)
        out += ",\"expected\":"
        append(expected)
        out += ",\"matched_secret\":"
        out += matchedSecret.map(String.init) ?? "null"
        out += ",\"diagnosis\":"
        append(diagnosis)
        out += ",\"warnings\":"
        append(warnings)
        out += "}"
        return out
    }
}
