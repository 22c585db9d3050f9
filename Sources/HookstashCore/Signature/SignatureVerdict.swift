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
    /// One finding per variant that would have matched, or what was compared when none did.
    public var diagnosis: [SignatureFinding]
    /// Facts that do not change the status (timestamp skew, legacy header used, …).
    public var warnings: [SignatureFinding]

    public init(
        scheme: String, status: SignatureStatus, header: String? = nil, received: String? = nil,
        expected: String? = nil, matchedSecret: Int? = nil, diagnosis: [SignatureFinding] = [],
        warnings: [SignatureFinding] = []
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
        case diagnosisFindings = "diagnosis_findings"
        case warningFindings = "warning_findings"
    }

    /// `diagnosis` and `warnings` are the sentences (as `Wording.standard` says them, or as the encoder's
    /// `Wording.userInfoKey` does); `diagnosis_findings` and `warning_findings` the same findings with their codes,
    /// parameters and `message`.
    public func encode(to encoder: any Encoder) throws {
        let wording = encoder.userInfo[Wording.userInfoKey] as? Wording ?? .standard
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scheme, forKey: .scheme)
        try container.encode(status, forKey: .status)
        try container.encode(header, forKey: .header)
        try container.encode(received, forKey: .received)
        try container.encode(expected, forKey: .expected)
        try container.encode(matchedSecret, forKey: .matchedSecret)
        try container.encode(diagnosis.map(wording.sentence), forKey: .diagnosis)
        try container.encode(warnings.map(wording.sentence), forKey: .warnings)
        try container.encode(diagnosis.map { SignatureFinding.Stated($0, wording) }, forKey: .diagnosisFindings)
        try container.encode(warnings.map { SignatureFinding.Stated($0, wording) }, forKey: .warningFindings)
    }

    /// Reads what `encode` and `jsonText` write; a verdict stored before findings had codes has sentences only,
    /// each kept as a `recorded_text` finding.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scheme = try container.decode(String.self, forKey: .scheme)
        status = try container.decode(SignatureStatus.self, forKey: .status)
        header = try container.decodeIfPresent(String.self, forKey: .header)
        received = try container.decodeIfPresent(String.self, forKey: .received)
        expected = try container.decodeIfPresent(String.self, forKey: .expected)
        matchedSecret = try container.decodeIfPresent(Int.self, forKey: .matchedSecret)
        func findings(_ typed: CodingKeys, _ sentences: CodingKeys) throws -> [SignatureFinding] {
            if let findings = try? container.decodeIfPresent([SignatureFinding].self, forKey: typed) {
                return findings
            }
            return try (container.decodeIfPresent([String].self, forKey: sentences) ?? []).map(
                SignatureFinding.recorded)
        }
        diagnosis = try findings(.diagnosisFindings, .diagnosis)
        warnings = try findings(.warningFindings, .warnings)
    }
}

extension SignatureFinding {
    /// A finding as JSON shows it: its code and parameters, and `message`, its sentence.
    struct Stated: Encodable {
        var finding: SignatureFinding
        var message: String

        init(_ finding: SignatureFinding, _ wording: Wording) {
            self.finding = finding
            self.message = wording.sentence(finding)
        }

        private enum CodingKeys: String, CodingKey { case message }

        func encode(to encoder: any Encoder) throws {
            try finding.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
        }
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

    /// Whether `jsonText` says all the verdict holds: it has no findings (whose codes and parameters only the
    /// `Codable` form writes).
    public var isPlain: Bool { diagnosis.isEmpty && warnings.isEmpty }

    /// The verdict as JSON, as it is stored with every capture whose verdict `isPlain` (on the capture path, so
    /// written directly), with `expected` abbreviated. Decodes with `Codable` to `abbreviatingExpected`; a verdict
    /// with findings is stored in its `Codable` form.
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
        append(diagnosis.map(Wording.standard.sentence))
        out += ",\"warnings\":"
        append(warnings.map(Wording.standard.sentence))
        out += "}"
        return out
    }
}
