import HookstashCore

/// Tries the variants people get wrong, one respect at a time, and says which would have matched.
///
/// Bounded: at most `budget` HMACs, whatever the request. Variants use the configured secrets (the first two),
/// never a search over values.
struct SignatureDiagnosis {
    let definition: any SchemeDefinition
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
        definition: any SchemeDefinition, reading: SignatureReading, parts: SignedParts, urls: SignedURLSources,
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

    /// The configured secrets worth varying, with how a sentence names them.
    private var keyedSecrets: [(key: [UInt8], name: String)] {
        policy.secrets.prefix(2).enumerated().compactMap { index, secret in
            definition.key(secret: secret).map { ($0, policy.secrets.count > 1 ? " with secret #\(index + 1)" : "") }
        }
    }

    mutating func sentences() -> [String] {
        var out: [String] = []
        var keyProblems: [String] = []
        for (index, secret) in policy.secrets.enumerated() {
            if let problem = definition.keyProblem(secret: secret) {
                keyProblems.append("secret #\(index + 1) \(problem)")
            }
        }

        // The right MAC written differently (encoding, prefix).
        for (key, name) in keyedSecrets {
            if let form = attempt(key: key, parts), form != .exact {
                out.append("the header holds the right HMAC\(name) but " + describe(form, lead: true))
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

    private mutating func secretVariants() -> [String] {
        var out: [String] = []
        for (index, secret) in policy.secrets.prefix(3).enumerated() {
            let label = policy.secrets.count > 1 ? "secret #\(index + 1)" : "the secret"
            let trimmed = secret.trimmingWhitespaceAndNewlines()
            if trimmed != secret, let key = definition.key(secret: trimmed), let form = attempt(key: key, parts) {
                out.append(
                    "matches with \(label) trimmed of surrounding whitespace: the configured secret has leading or "
                        + "trailing spaces or a newline (often picked up from a file or a paste)" + suffix(form))
            }
            if trimmed == secret, let key = definition.key(secret: secret + "\n"), let form = attempt(key: key, parts) {
                out.append(
                    "matches with a newline added after \(label): the sender's copy of the secret ends in a newline "
                        + "(often read from a file)" + suffix(form))
            }
            out += whsecVariants(secret: secret, label: label)
        }
        for other in policy.otherSecrets.prefix(4) {
            if let key = definition.key(secret: other.secret), let form = attempt(key: key, parts) {
                out.append(
                    "matches the secret of \(other.label): the sender signs with that secret; check the path it "
                        + "delivers to, or which secret is configured here" + suffix(form))
            }
        }
        return out
    }

    /// `whsec_` secrets: Stripe uses the text as is, Standard Webhooks base64-decodes what follows the prefix.
    private mutating func whsecVariants(secret: String, label: String) -> [String] {
        switch definition.scheme {
        case .stripe:
            let encoded = StandardWebhooksScheme.encodedKey(secret)
            guard let key = Base64.decode(encoded), !key.isEmpty, let form = attempt(key: key, parts) else { return [] }
            return [
                "matches when the part of \(label) after 'whsec_' is base64-decoded and used as the key: Stripe keys "
                    + "the HMAC with the whole secret text, 'whsec_' included (decoding is the Standard Webhooks rule)"
                    + suffix(form)
            ]
        case .standardWebhooks:
            var out: [String] = []
            var seen: Set<[UInt8]> = []
            for raw in [secret, StandardWebhooksScheme.encodedKey(secret)] where seen.insert(raw.bytes).inserted {
                guard let form = attempt(key: raw.bytes, parts) else { continue }
                let which = raw == secret ? "the whole of \(label)" : "the part of \(label) after 'whsec_'"
                out.append(
                    "matches when \(which) is used as raw text: Standard Webhooks base64-decodes the part after "
                        + "'whsec_' and uses those bytes as the key" + suffix(form))
            }
            return out
        default:
            return []
        }
    }

    private mutating func algorithmVariants() -> [String] {
        var out: [String] = []
        for algorithm in DigestAlgorithm.allCases where algorithm != definition.algorithm {
            for (key, name) in keyedSecrets {
                guard let form = attempt(key: key, parts, algorithm: algorithm) else { continue }
                out.append(
                    "matches HMAC-\(algorithm.plain) instead of HMAC-\(definition.algorithm.plain)\(name): the sender "
                        + "hashes with \(algorithm.rawValue); \(definition.provider) uses "
                        + "\(definition.algorithm.rawValue)\(schemeHint(for: algorithm))" + suffix(form))
                break
            }
        }
        return out
    }

    private func schemeHint(for algorithm: DigestAlgorithm) -> String {
        switch (definition.scheme, algorithm) {
        case (.front, .sha256): " (Front application webhooks use SHA-256: try --scheme front-app)"
        case (.frontApp, .sha1): " (Front rule webhooks use SHA-1: try --scheme front)"
        default: ""
        }
    }

    private mutating func bodyVariants() -> [String] {
        let body = parts.body
        var variants: [(String, [UInt8])] = []
        func ends(with suffix: [UInt8]) -> Bool {
            body.count >= suffix.count && Array(body.suffix(suffix.count)) == suffix
        }
        if ends(with: [0x0d, 0x0a]) {
            variants.append(
                (
                    "matches if a trailing CRLF (\\r\\n) is removed from the body: a line ending was added after the body "
                        + "was signed, or the signer signed it before adding one", Array(body.dropLast(2))
                ))
        } else if ends(with: [0x0a]) {
            variants.append(
                (
                    "matches if a trailing newline is removed from the body: a newline was added after the body was "
                        + "signed (an editor, `echo`, a template), or the signer signed it before adding one",
                    Array(body.dropLast())
                ))
        }
        variants.append(
            (
                "matches if a trailing newline is added to the body: the signed body ended in a newline (\\n) that did "
                    + "not arrive (stripped by a framework, an editor or a shell)", body + [0x0a]
            ))
        variants.append(
            (
                "matches if a trailing CRLF (\\r\\n) is added to the body: the signed body ended in a line break that "
                    + "did not arrive", body + [0x0d, 0x0a]
            ))
        // Every variant is hashed once per secret tried: the bytes they will cost are reserved before any
        // re-serialization is built, and each is built only within what remains (and at most a few times the
        // body), so a small, deeply nested body cannot make the diagnosis allocate many times its size.
        let hashesPerVariant = max(1, keyedSecrets.count)
        var reserved = variants.reduce(0) { $0 + $1.1.count } * hashesPerVariant
        let largest = max(Self.reserializationFloor, body.count * Self.reserializationGrowth)
        if byteBudget - reserved > 0, let node = JSONReserialization.parse(body) {
            // A re-serialization equal to a line-ending variant would repeat its sentence.
            var seen = Set([body] + variants.map(\.1))
            for style in JSONReserialization.styles {
                let room = min(largest, (byteBudget - reserved) / hashesPerVariant)
                guard room > 0, let serialized = JSONReserialization.serialize(node, style, limit: room) else {
                    stoppedEarly = true
                    continue
                }
                guard seen.insert(serialized).inserted else { continue }
                reserved += serialized.count * hashesPerVariant
                variants.append(
                    (
                        "matches the body re-serialized as \(style.name): the signature was computed over a different "
                            + "serialization than the bytes that arrived (the body was parsed and re-encoded on one side); "
                            + "sign and verify the raw bytes", serialized
                    ))
            }
        }
        if definition.scheme == .frontApp {
            if FrontAppScheme.signsUndefined(method: parts.method) {
                var asPost = parts
                asPost.method = "POST"
                if let form = attemptAny(asPost) {
                    return matched(variants) + [
                        "matches when the actual body is signed instead of the string 'undefined': Front signs "
                            + "'undefined' for \(parts.method.uppercased()) requests, so the sender does not follow "
                            + "Front's rule" + suffix(form)
                    ]
                }
            } else {
                var asGet = parts
                asGet.method = "GET"
                if let form = attemptAny(asGet) {
                    return matched(variants) + [
                        "matches when the body is replaced by the string 'undefined', as Front signs GET and DELETE "
                            + "requests: this \(parts.method.uppercased()) request was signed as if it had no body"
                            + suffix(form)
                    ]
                }
            }
        }
        return matched(variants)
    }

    private mutating func matched(_ variants: [(String, [UInt8])]) -> [String] {
        var out: [String] = []
        for (sentence, body) in variants {
            var varied = parts
            varied.body = body
            if let form = attemptAny(varied) { out.append(sentence + suffix(form)) }
        }
        return out
    }

    private mutating func timestampVariants() -> [String] {
        guard let text = parts.timestamp, let value = Int64(text), value >= 0,
            let header = reading.timestampHeader
        else { return [] }
        var variants: [(String, String)] = []
        if text.count >= 13 {
            variants.append(
                (
                    String(value / 1000),
                    "matches if the timestamp is taken in seconds ('\(value / 1000)') instead of the milliseconds in "
                        + "\(header) ('\(text)'): the sender signed a different timestamp than it sent"
                ))
        } else {
            variants.append(
                (
                    text + "000",
                    "matches if the timestamp is taken in milliseconds ('\(text)000') instead of the seconds in "
                        + "\(header) ('\(text)'): the sender signed a different timestamp than it sent"
                ))
        }
        var out: [String] = []
        for (timestamp, sentence) in variants {
            var varied = parts
            varied.timestamp = timestamp
            if let form = attemptAny(varied) { out.append(sentence + suffix(form)) }
        }
        return out
    }

    private mutating func urlVariants() -> [String] {
        guard definition.scheme.signsURL else { return [] }
        let checked: Set<String> =
            definition.scheme == .twilio
            ? [urls.canonical.url.text, urls.canonical.url.withoutPort.text, urls.canonical.url.withDefaultPort.text]
            : [urls.canonical.url.text]
        var out: [String] = []
        for candidate in urls.alternatives where !checked.contains(candidate.url.text) {
            var varied = parts
            varied.url = candidate.url.text
            guard let form = attemptAny(varied) else { continue }
            out.append(
                "matches the URL '\(candidate.url.text)' (\(urls.differences(of: candidate))) instead of "
                    + "'\(urls.canonical.url.text)': the sender signs the URL it is configured with; pass its scheme "
                    + "and host as --public-url (public_url in the config)" + suffix(form))
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
            if let decoded = [UInt8](hexString: value), constantTimeEquals(decoded, mac) {
                return .written(encoding: .hex, prefix: prefix)
            }
            if let decoded = Base64.decode(value), constantTimeEquals(decoded, mac) {
                return .written(encoding: .base64, prefix: prefix)
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

    private func describe(_ form: Form, lead: Bool) -> String {
        guard case .written(let encoding, let prefix) = form else { return "" }
        var words: [String] = []
        if encoding != definition.encoding {
            words.append("written as \(encoding.name) where \(definition.provider) writes \(definition.encoding.name)")
        }
        if prefix != definition.prefix {
            switch (prefix.isEmpty, definition.prefix.isEmpty) {
            case (true, false):
                words.append("without the '\(definition.prefix)' prefix \(definition.provider) puts before it")
            case (false, true): words.append("with a '\(prefix)' prefix \(definition.provider) does not use")
            default: words.append("with the prefix '\(prefix)' instead of '\(definition.prefix)'")
            }
        }
        if words.isEmpty { words.append("in a form hookstash did not read as \(definition.provider)'s") }
        return words.joined(separator: " and ")
    }

    private func suffix(_ form: Form) -> String {
        form == .exact ? "" : " (and the value is " + describe(form, lead: false) + ")"
    }

    private func nothingMatched() -> String {
        let secret = policy.secrets.count > 1 ? "secret #1" : "the configured secret"
        let message = definition.message(parts)
        let preview = Self.preview(message)
        let bodyHash = DigestHasher.digest(.sha256, parts.body).hexString
        return "nothing matched: hookstash computed HMAC-\(definition.algorithm.plain) with \(secret) over "
            + "\(definition.messageDescription(parts)), \(message.count) bytes beginning '\(preview)' "
            + "(body SHA-256 \(bodyHash)), wrote it as \(definition.encoding.name) and compared it with "
            + "\(reading.header); \(tried) variants were tried (\(triedKinds.joined(separator: ", ")))"
            + (stoppedEarly ? ", then the diagnosis stopped because the body is large. " : ". ")
            + "Check that the sender signs these exact bytes with the same secret" + urlHint
    }

    private var urlHint: String {
        guard definition.scheme.signsURL else { return "" }
        return "; the URL was built from \(urls.canonical.hostSource): if the sender delivers through a tunnel or "
            + "proxy, pass the URL it is configured with as --public-url (public_url in the config)"
    }

    /// What kinds of variants this scheme's diagnosis tries, for the sentence that says nothing matched.
    private var triedKinds: [String] {
        var kinds = ["line endings", "whitespace in the secret", "hash algorithm", "encoding and prefix"]
        if JSONReserialization.parse(parts.body) != nil { kinds.append("JSON re-serialization") }
        if parts.timestamp != nil { kinds.append("timestamp in seconds or milliseconds") }
        if definition.scheme == .stripe || definition.scheme == .standardWebhooks { kinds.append("'whsec_' decoding") }
        if definition.scheme == .frontApp { kinds.append("the 'undefined' body") }
        if definition.scheme.signsURL { kinds.append("URL scheme, host and port") }
        if !policy.otherSecrets.isEmpty { kinds.append("other endpoints' secrets") }
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

extension DigestAlgorithm {
    /// `SHA1`, `SHA256`: as in `HMAC-SHA256`.
    var plain: String { rawValue.filter { $0 != "-" } }
}

extension String {
    func trimmingWhitespaceAndNewlines() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
