import HookstashCore

/// Tries the variants people get wrong, one respect at a time, and says which would have matched.
///
/// Bounded: at most `budget` HMACs, whatever the request. Variants use the configured secrets (the first two),
/// never a search over values.
struct SignatureDiagnosis {
    let definition: SchemeDefinition
    let reading: SignatureReading
    let parts: SignedParts
    let urls: SignedURLSources
    let policy: SignaturePolicy

    /// A re-serialization longer than this many times the body (or than `reserializationFloor`) is not tried.
    static let reserializationGrowth = 4
    static let reserializationFloor = 64 * 1024

    /// HMACs left to spend.
    private(set) var budget = 80
    /// Bytes left to hash: a large body gets fewer variants, so a diagnosis stays cheap on the capture path.
    private(set) var byteBudget = 32 << 20
    private var tried = 0
    private var stoppedEarly = false

    init(
        definition: SchemeDefinition, reading: SignatureReading, parts: SignedParts, urls: SignedURLSources,
        policy: SignaturePolicy
    ) {
        self.definition = definition
        self.reading = reading
        self.parts = parts
        self.urls = urls
        self.policy = policy
    }

    /// How a computed MAC was found in the header.
    private enum Form: Equatable {
        case exact
        /// The right MAC, written with `encoding` and preceded by `prefix` in the header.
        case written(encoding: SignatureEncoding, prefix: String)
    }

    /// The configured secrets worth varying, with the number findings give them (nil when only one is configured).
    private var keyedSecrets: [(key: [UInt8], number: Int?)] {
        policy.secrets.prefix(2).enumerated().compactMap { index, secret in
            definition.key(secret: secret).map { ($0, policy.secrets.count > 1 ? index + 1 : nil) }
        }
    }

    /// A finding about this scheme, with the secret and the form the match was written in.
    private func finding(_ code: SignatureFinding.Code, secret: Int? = nil, _ form: Form? = nil) -> SignatureFinding {
        var finding = SignatureFinding(code)
        finding.provider = definition.provider
        finding.secret = secret
        if case .written(let encoding, let prefix) = form {
            finding.written = SignatureFinding.Written(encoding: encoding.name, prefix: prefix)
            finding.expectedWritten = definition.written
        }
        return finding
    }

    mutating func findings() -> [SignatureFinding] {
        var out: [SignatureFinding] = []
        var keyProblems: [SignatureFinding] = []
        for (index, secret) in policy.secrets.enumerated() where definition.keyIsUnusable(secret: secret) {
            keyProblems.append(finding(.secretUnusable, secret: index + 1))
        }

        // The right MAC written differently (encoding, prefix).
        for (key, number) in keyedSecrets {
            if let form = attempt(key: key, parts), form != .exact {
                out.append(finding(.signatureWrittenDifferently, secret: number, form))
            }
        }
        out += secretVariants()
        out += algorithmVariants()
        out += bodyVariants()
        out += timestampVariants()
        out += urlVariants()
        if out.isEmpty { out.append(nothingMatched()) }
        return keyProblems + out
    }

    // MARK: - Variants

    private mutating func secretVariants() -> [SignatureFinding] {
        var out: [SignatureFinding] = []
        for (index, secret) in policy.secrets.prefix(3).enumerated() {
            let number = policy.secrets.count > 1 ? index + 1 : nil
            let trimmed = secret.trimmingWhitespaceAndNewlines()
            if trimmed != secret, let key = definition.key(secret: trimmed), let form = attempt(key: key, parts) {
                out.append(finding(.secretHasSurroundingWhitespace, secret: number, form))
            }
            if trimmed == secret, let key = definition.key(secret: secret + "\n"), let form = attempt(key: key, parts) {
                out.append(finding(.secretMissingTrailingNewline, secret: number, form))
            }
            out += prefixVariants(secret: secret, number: number)
        }
        for other in policy.otherSecrets.prefix(4) {
            if let key = definition.key(secret: other.secret), let form = attempt(key: key, parts) {
                var found = finding(.secretOfOtherEndpoint, form)
                found.endpoint = other.label
                out.append(found)
            }
        }
        return out
    }

    /// Prefixed secrets keyed by the other rule: Stripe uses the `whsec_…` text as is, Standard Webhooks
    /// base64-decodes what follows the prefix.
    private mutating func prefixVariants(secret: String, number: Int?) -> [SignatureFinding] {
        switch definition.key {
        case .textWithPrefix(let prefix):
            let encoded = KeyFormat.dropping(prefix, from: secret)
            guard let key = Base64.decode(encoded), !key.isEmpty, let form = attempt(key: key, parts) else { return [] }
            return [finding(.secretPrefixDecoded, secret: number, form)]
        case .base64AfterPrefix(let prefix):
            var out: [SignatureFinding] = []
            var seen: Set<[UInt8]> = []
            for raw in [secret, KeyFormat.dropping(prefix, from: secret)] where seen.insert(raw.bytes).inserted {
                guard let form = attempt(key: raw.bytes, parts) else { continue }
                var found = finding(.secretPrefixNotDecoded, secret: number, form)
                found.field = raw == secret ? "whole" : "after_prefix"
                out.append(found)
            }
            return out
        case .text:
            return []
        }
    }

    private mutating func algorithmVariants() -> [SignatureFinding] {
        var out: [SignatureFinding] = []
        for algorithm in DigestAlgorithm.allCases where algorithm != definition.algorithm {
            for (key, number) in keyedSecrets {
                guard let form = attempt(key: key, parts, algorithm: algorithm) else { continue }
                var found = finding(.algorithmMismatch, secret: number, form)
                found.algorithm = algorithm
                found.expectedAlgorithm = definition.algorithm
                found.suggestedScheme = definition.suggestedScheme(for: algorithm)
                out.append(found)
                break
            }
        }
        return out
    }

    private mutating func bodyVariants() -> [SignatureFinding] {
        let body = parts.body
        var variants: [(SignatureFinding.Code, [UInt8])] = []
        func ends(with suffix: [UInt8]) -> Bool {
            body.count >= suffix.count && Array(body.suffix(suffix.count)) == suffix
        }
        if ends(with: [0x0d, 0x0a]) {
            variants.append((.bodyTrailingCRLFAdded, Array(body.dropLast(2))))
        } else if ends(with: [0x0a]) {
            variants.append((.bodyTrailingNewlineAdded, Array(body.dropLast())))
        }
        variants.append((.bodyTrailingNewlineMissing, body + [0x0a]))
        variants.append((.bodyTrailingCRLFMissing, body + [0x0d, 0x0a]))
        // Every variant is hashed once per secret tried: the bytes they will cost are reserved before any
        // re-serialization is built, and each is built only within what remains (and at most a few times the
        // body), so a small, deeply nested body cannot make the diagnosis allocate many times its size.
        let hashesPerVariant = max(1, keyedSecrets.count)
        var reserved = variants.reduce(0) { $0 + $1.1.count } * hashesPerVariant
        let largest = max(Self.reserializationFloor, body.count * Self.reserializationGrowth)
        if byteBudget - reserved > 0, let node = JSONReserialization.parse(body) {
            // A re-serialization equal to a line-ending variant would repeat its finding.
            var seen = Set([body] + variants.map(\.1))
            for style in JSONReserialization.styles {
                let room = min(largest, (byteBudget - reserved) / hashesPerVariant)
                guard room > 0, let serialized = JSONReserialization.serialize(node, style, limit: room) else {
                    stoppedEarly = true
                    continue
                }
                guard seen.insert(serialized).inserted else { continue }
                reserved += serialized.count * hashesPerVariant
                variants.append((style.code, serialized))
            }
        }
        if let (varied, code) = definition.methodVariant(parts), let form = attemptAny(varied) {
            var found = finding(code, form)
            found.method = parts.method
            return matched(variants) + [found]
        }
        return matched(variants)
    }

    private mutating func matched(_ variants: [(SignatureFinding.Code, [UInt8])]) -> [SignatureFinding] {
        var out: [SignatureFinding] = []
        for (code, body) in variants {
            var varied = parts
            varied.body = body
            if let form = attemptAny(varied) { out.append(finding(code, form)) }
        }
        return out
    }

    private mutating func timestampVariants() -> [SignatureFinding] {
        guard let text = parts.timestamp, let value = Int64(text), value >= 0,
            let header = reading.timestampHeader
        else { return [] }
        let (signed, code): (String, SignatureFinding.Code) =
            text.count >= 13
            ? (String(value / 1000), .timestampSignedInSeconds)
            : (text + "000", .timestampSignedInMilliseconds)
        var varied = parts
        varied.timestamp = signed
        guard let form = attemptAny(varied) else { return [] }
        var found = finding(code, form)
        found.header = header
        found.timestamp = text
        found.signedTimestamp = signed
        return [found]
    }

    private mutating func urlVariants() -> [SignatureFinding] {
        guard definition.signsURL else { return [] }
        let checked = Set(definition.urlForms(urls.canonical.url).map(\.text))
        var out: [SignatureFinding] = []
        for candidate in urls.alternatives where !checked.contains(candidate.url.text) {
            var varied = parts
            varied.url = candidate.url.text
            guard let form = attemptAny(varied) else { continue }
            var found = finding(.urlDiffers, form)
            found.url = candidate.url.text
            found.checkedURL = urls.canonical.url.text
            found.urlDifferences = urls.differences(of: candidate)
            out.append(found)
        }
        return out
    }

    // MARK: - Attempts

    /// Tries `parts` with the first configured secrets.
    private mutating func attemptAny(_ parts: SignedParts) -> Form? {
        for (key, _) in keyedSecrets {
            if let form = attempt(key: key, parts) { return form }
        }
        return nil
    }

    private mutating func attempt(key: [UInt8], _ parts: SignedParts, algorithm: DigestAlgorithm? = nil) -> Form? {
        let message = definition.message(parts)
        guard budget > 0, message.count <= byteBudget else {
            stoppedEarly = true
            return nil
        }
        budget -= 1
        byteBudget -= message.count
        tried += 1
        guard let mac = try? HMAC.code(algorithm ?? definition.algorithm, key: key, message: message) else {
            stoppedEarly = true
            return nil
        }
        return form(of: mac)
    }

    /// Where `mac` appears in the header, if anywhere: exactly as the scheme writes it, or in another encoding or
    /// with another prefix.
    private func form(of mac: [UInt8]) -> Form? {
        if SignatureVerifier.matches(mac, reading.signatures, definition.encoding) { return .exact }
        for (value, prefix) in tokens {
            // hex, base64, base64url: a token that decodes in more than one is read in the first.
            for encoding in SignatureEncoding.allCases {
                if let decoded = encoding.decode(value), constantTimeEquals(decoded, mac) {
                    return .written(encoding: encoding, prefix: prefix)
                }
            }
        }
        return nil
    }

    /// The header value cut into the pieces a signature might be, each with the `name=` or `v1,` before it.
    private var tokens: [(value: String, prefix: String)] {
        var out: [(String, String)] = []
        let pieces = reading.received.split(whereSeparator: { $0 == " " || $0 == ";" })
        for piece in pieces {
            var candidates = [Substring(piece)]
            if piece.contains(",") { candidates += piece.split(separator: ",") }
            for candidate in candidates {
                out.append((String(candidate), ""))
                if let separator = candidate.firstIndex(where: { $0 == "=" || $0 == "," }),
                    separator > candidate.startIndex,
                    candidate.distance(from: candidate.startIndex, to: separator) <= 8,
                    candidate[..<separator].allSatisfy({ $0.isLetter || $0.isNumber })
                {
                    out.append(
                        (String(candidate[candidate.index(after: separator)...]), String(candidate[...separator])))
                }
            }
        }
        return out
    }

    private func nothingMatched() -> SignatureFinding {
        let message = definition.message(parts)
        var found = finding(.nothingMatched, secret: policy.secrets.count > 1 ? 1 : nil)
        found.algorithm = definition.algorithm
        found.expectedWritten = definition.written
        found.message = definition.signedMessage(parts)
        found.messageSize = message.count
        found.messagePreview = Self.preview(message)
        found.bodySHA256 = DigestHasher.digest(.sha256, parts.body).hexString
        found.header = reading.header
        found.variantsTried = tried
        found.variantKinds = triedKinds
        found.stoppedEarly = stoppedEarly ? true : nil
        if definition.signsURL { found.checkedHostSource = urls.canonical.hostSource }
        return found
    }

    /// What kinds of variants this scheme's diagnosis tries, for the finding that says nothing matched.
    private var triedKinds: [SignatureFinding.VariantKind] {
        var kinds: [SignatureFinding.VariantKind] = [
            .lineEndings, .secretWhitespace, .hashAlgorithm, .encodingAndPrefix,
        ]
        if JSONReserialization.parse(parts.body) != nil { kinds.append(.jsonReserialization) }
        if parts.timestamp != nil { kinds.append(.timestampUnit) }
        if definition.key != .text { kinds.append(.secretPrefixDecoding) }
        if definition.methodVariant(parts) != nil { kinds.append(.undefinedBody) }
        if definition.signsURL { kinds.append(.url) }
        if !policy.otherSecrets.isEmpty { kinds.append(.otherEndpointSecrets) }
        return kinds
    }

    /// The first bytes of `message` as printable text, escapes for the rest.
    static func preview(_ message: [UInt8], limit: Int = 60) -> String {
        var out = ""
        for byte in message.prefix(limit) {
            switch byte {
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7f: out.append(Character(Unicode.Scalar(byte)))
            default: out += "\\x" + [byte].hexString
            }
        }
        return message.count > limit ? out + "…" : out
    }
}

extension String {
    func trimmingWhitespaceAndNewlines() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
