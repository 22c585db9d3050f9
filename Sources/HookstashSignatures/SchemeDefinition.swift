import HookstashCore

/// How a MAC is written in a header.
enum SignatureEncoding: String, Sendable, Hashable, CaseIterable {
    case hex
    case base64
    /// base64 with `-` and `_`, padding optional.
    case base64url

    var name: String { rawValue }

    func encode(_ mac: [UInt8]) -> String {
        switch self {
        case .hex: mac.hexString
        case .base64: Base64.encode(mac)
        case .base64url:
            String(
                Base64.encode(mac).compactMap { character -> Character? in
                    switch character {
                    case "+": "-"
                    case "/": "_"
                    case "=": nil
                    default: character
                    }
                })
        }
    }

    func decode(_ text: String) -> [UInt8]? {
        switch self {
        case .hex: return [UInt8](hexString: text)
        case .base64: return Base64.decode(text)
        case .base64url:
            guard !text.utf8.contains(UInt8(ascii: "+")), !text.utf8.contains(UInt8(ascii: "/")) else { return nil }
            var standard = String(
                text.map { character -> Character in
                    switch character {
                    case "-": "+"
                    case "_": "/"
                    default: character
                    }
                })
            let remainder = standard.utf8.count % 4
            if remainder == 2 || remainder == 3 { standard += String(repeating: "=", count: 4 - remainder) }
            return Base64.decode(standard)
        }
    }
}

/// What a scheme read from a request's headers.
struct SignatureReading: Sendable {
    /// The header the signature came from, spelled as the provider documents it.
    var header: String
    /// The header value as received.
    var received: String
    /// The signatures to compare with, as encoded text without any prefix (`sha256=`, `v1=`). Empty when the header
    /// is present but holds nothing in the expected form.
    var signatures: [String]
    /// The timestamp text as it enters the signed message, when the scheme has one.
    var timestamp: String?
    /// The header the timestamp came from, for warnings.
    var timestampHeader: String?
    /// The message id that enters the signed message, when the scheme signs one.
    var messageID: String?
    /// Facts about the headers that do not change the status.
    var warnings: [SignatureFinding] = []
}

/// The inputs of a signed message; the diagnosis varies one of them at a time.
struct SignedParts: Sendable {
    var method: String
    var body: [UInt8]
    var timestamp: String?
    /// The full URL the sender signed, for schemes that sign it.
    var url: String?
    /// The message id (`webhook-id`), for schemes that sign one.
    var messageID: String?
    var contentType: String?
}

/// One piece of the signed content, in order.
enum SignedPart: Sendable, Hashable {
    /// Fixed bytes: a version tag (`v0:`) or a separator.
    case literal(String)
    /// The body as received (or `undefined` for the definition's `undefinedBodyMethods`).
    case body
    /// The timestamp text as the sender wrote it.
    case timestamp
    /// The message id header's value.
    case id
    /// The full URL the sender delivered to.
    case url
    /// The request method, as sent.
    case method
    /// Each form parameter's name and value, sorted by name, when the body is a form (Twilio); nothing otherwise,
    /// the body being covered by the definition's `bodyHashQueryParameter`.
    case sortedFormParameters
}

/// How a signature header's value holds the signature(s).
enum SignatureFormat: Sendable, Hashable {
    /// The whole value is one signature, after `prefix` (compared case-insensitively) when there is one; a value
    /// without the prefix holds none.
    case plain(prefix: String)
    /// `t=1,v1=abc,v1=def`: `key=value` items cut at `separator`; every value under `key` is a signature.
    case keyValue(separator: Character, key: String)
    /// `v1,abc v1,def`: items cut at `separator`, each a signature after `prefix`.
    case list(separator: Character, prefix: String)

    /// What precedes the encoded MAC, as a sender writes it.
    var prefix: String {
        switch self {
        case .plain(let prefix), .list(_, let prefix): prefix
        case .keyValue(_, let key): key + "="
        }
    }
}

/// Where a scheme's timestamp is.
enum TimestampSource: Sendable, Hashable {
    /// A header of its own.
    case header(String)
    /// A `key=value` field of the signature header (`t` of `Stripe-Signature`).
    case field(String)
}

enum TimestampUnit: String, Sendable, Hashable {
    case seconds
    case milliseconds
    /// An RFC 3339 time (`2026-01-01T00:00:00.123Z`), signed as the sender wrote it (Twitch, Zendesk).
    case rfc3339

    /// How a sender writes `time`.
    func text(_ time: Timestamp) -> String {
        switch self {
        case .seconds: String(time.microsecondsSinceEpoch / 1_000_000)
        case .milliseconds: String(time.microsecondsSinceEpoch / 1000)
        case .rfc3339: time.rfc3339
        }
    }
}

/// The headers one sender family uses (Standard Webhooks' `webhook-*`, Svix's `svix-*`).
struct SchemeHeaders: Sendable, Hashable {
    var signature: String
    var timestamp: TimestampSource?
    var id: String?

    /// The header a timestamp is read from, as findings name it (`Stripe-Signature t`).
    var timestampHeaderLabel: String? {
        switch timestamp {
        case .header(let name): name
        case .field(let field): "\(signature) \(field)"
        case nil: nil
        }
    }

    /// The headers a sender adds, id and timestamp before the signature.
    var names: [String] {
        var names: [String] = []
        if let id { names.append(id) }
        if case .header(let name) = timestamp { names.append(name) }
        names.append(signature)
        return names
    }
}

/// How a configured secret becomes the HMAC key.
enum KeyFormat: Sendable, Hashable {
    /// The secret's UTF-8 bytes.
    case text
    /// The secret's UTF-8 bytes, a prefix such as `whsec_` included (Stripe): a diagnosis also tries the base64
    /// after the prefix, decoded.
    case textWithPrefix(String)
    /// The base64 after an optional prefix (`whsec_`), decoded (Standard Webhooks).
    case base64AfterPrefix(String)

    func key(secret: String) -> [UInt8]? {
        switch self {
        case .text, .textWithPrefix: secret.bytes
        case .base64AfterPrefix(let prefix): Base64.decode(Self.dropping(prefix, from: secret))
        }
    }

    /// `secret` without `prefix`, when it has it.
    static func dropping(_ prefix: String, from secret: String) -> String {
        secret.hasPrefix(prefix) ? String(secret.dropFirst(prefix.count)) : secret
    }
}

/// A handshake a sender makes before it sends webhooks, and how it is answered.
enum Handshake: Sendable, Hashable {
    /// The value of `header` echoed as `200 {"<field>":"<value>"}` (Front's `X-Front-Challenge`, Okta's
    /// `X-Okta-Verification-Challenge`).
    case echoHeaderAsJSON(header: String, field: String)
    /// The value of `header` echoed in the same header of an empty `200` (Asana's `X-Hook-Secret`).
    case echoHeader(String)
    /// A GET whose query parameter `parameter` is echoed as the `text/plain` body (Dropbox's `challenge`).
    case queryChallenge(parameter: String)
    /// Meta's GET `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the challenge echoed when the token is
    /// the configured verify token, 403 when it is not.
    case verifyTokenChallenge
    /// Discord's PING (`{"type":1}`): `200 {"type":1}` when its signature verifies, `401` when it does not, as
    /// Discord's endpoint check requires.
    case discordPing
    /// Zoom's `endpoint.url_validation` POST: `{"plainToken":…,"encryptedToken":<hex HMAC-SHA256(secret,
    /// plainToken)>}`, only for a request whose own signature is valid (else the endpoint would sign anything).
    case zoomURLValidation

    /// Whether the handshake is recognised by a header of the provider's own, so that a path checking no particular
    /// scheme (`auto`, `none`) answers it too; the others are answered only on a path that names the scheme.
    var isUnambiguous: Bool {
        switch self {
        case .echoHeaderAsJSON, .echoHeader: true
        case .queryChallenge, .verifyTokenChallenge, .zoomURLValidation, .discordPing: false
        }
    }
}

/// Where a scheme that signs inside the JSON body keeps its values (Mailgun's `signature` object): each a path of
/// object member names.
struct BodySignature: Sendable, Hashable {
    var signature: [String]
    var timestamp: [String]
    /// Read as the message id (`{id}` in the signed content): Mailgun's `token`.
    var id: [String]

    /// The largest body searched for them.
    static let maximumBody = 1 << 20

    /// How findings name a member: `signature.timestamp (JSON body)`.
    static func label(_ path: [String]) -> String { path.joined(separator: ".") + " (JSON body)" }

    func reading(_ body: [UInt8]) -> SignatureReading? {
        guard body.count <= Self.maximumBody, let root = JSONReserialization.parse(body) else { return nil }
        func value(_ path: [String]) -> String? {
            var node = root
            for name in path {
                guard case .object(let members) = node, let next = members.first(where: { $0.0 == name })?.1 else {
                    return nil
                }
                node = next
            }
            return node.text ?? node.literalText
        }
        guard let signature = value(self.signature) else { return nil }
        var reading = SignatureReading(
            header: Self.label(self.signature), received: signature, signatures: [signature.trimmingSpaces()],
            timestamp: value(timestamp), timestampHeader: Self.label(timestamp), messageID: value(id))
        if reading.timestamp == nil { reading.warnings.append(.timestampAbsent(header: Self.label(timestamp))) }
        return reading
    }
}

/// An older signature header a sender still adds, checked when it is the only one present (GitHub's SHA-1
/// `X-Hub-Signature`).
struct LegacySignature: Sendable, Hashable {
    var header: String
    var prefix: String
    var algorithm: DigestAlgorithm
}

/// One provider's signing scheme as data: where the signature is, what is signed, how it is keyed and written.
///
/// The verifier, the signer and the diagnosis read definitions; none of them knows a provider.
struct SchemeDefinition: Sendable, Hashable {
    /// The name the command line and the config file use (`front-app`).
    var name: String
    /// `Front`, `GitHub`: for sentences.
    var provider: String
    var algorithm: DigestAlgorithm
    var encoding: SignatureEncoding
    var format: SignatureFormat
    /// The header families tried in order; the first whose signature header is present is read. The first family is
    /// the one a signer writes.
    var headers: [SchemeHeaders]
    var signed: [SignedPart]
    var timestampUnit: TimestampUnit = .seconds
    /// The timestamp tolerance the provider documents, and who enforces it.
    var tolerance: SignatureFinding.Tolerance? = nil
    var key: KeyFormat = .text
    /// Headers that must be present besides the signature for `auto` to pick this scheme.
    var detectionAlsoNeeds: [String] = []
    /// Whether the header carries the secret itself (GitLab's `X-Gitlab-Token`): compared, not an HMAC.
    var comparesToken = false
    /// Set for a scheme that puts its signature in the JSON body rather than a header (Mailgun).
    var bodySignature: BodySignature? = nil
    /// Set for schemes signed with a private key and checked with the provider's public key (the configured
    /// "secret"), in place of an HMAC.
    var publicKey: PublicKeyAlgorithm? = nil
    /// Whether `auto` may pick this scheme: false when its headers are another scheme's and the MAC is the same
    /// computation (Meta and Intercom sign as GitHub does, in GitHub's headers).
    var autoDetected = true
    /// Methods whose requests are signed over the text `undefined` in place of the body (Front applications).
    var undefinedBodyMethods: [String] = []
    /// The query parameter carrying the body's hex SHA-256 when the URL alone is signed (Twilio's `bodySHA256`).
    var bodyHashQueryParameter: String? = nil
    /// Whether URLs with and without the default port are both accepted (Twilio's libraries accept both).
    var acceptsURLWithOrWithoutPort = false
    var legacy: LegacySignature? = nil
    /// Whether the sender adds `legacy` beside the current header (a signer writes both).
    var signerAddsLegacy = false
    /// Other schemes of the same provider by the algorithm they hash with (Front rule ↔ application).
    var siblings: [DigestAlgorithm: String] = [:]
    /// The provider name a missing timestamp is worded with, when it differs from `provider`.
    var timestampProvider: String? = nil
    var handshake: Handshake? = nil
    /// Set on the variant `fitted(to:)` makes when only the legacy header is present: the current header's name.
    var legacyFitOf: String? = nil

    /// What precedes the encoded MAC in the header (`sha256=`, `v1,`), empty when nothing does.
    var prefix: String { format.prefix }

    /// How the scheme writes a MAC, for findings.
    var written: SignatureFinding.Written { SignatureFinding.Written(encoding: encoding.name, prefix: prefix) }

    var timestampInMilliseconds: Bool { timestampUnit == .milliseconds }

    /// Whether the signature covers the request URL, so verifying needs the public URL the sender used.
    var signsURL: Bool { signed.contains(.url) }

    /// Header names the sender adds, family by family.
    var headerNames: [String] {
        headers.enumerated().flatMap { index, family in
            var names = family.names
            if index == 0, let legacy { names.insert(legacy.header, at: names.count - 1) }
            return names
        }
    }

    /// The encoded MAC with the scheme's prefix, as the header would show it.
    func written(_ mac: [UInt8]) -> String { prefix + encoding.encode(mac) }
}

// MARK: - Reading headers

extension SchemeDefinition {
    func isPresent(in headers: HeaderList) -> Bool {
        guard autoDetected else { return false }
        if let legacy, headers.contains(legacy.header) { return true }
        return self.headers.contains { headers.contains($0.signature) }
            && detectionAlsoNeeds.allSatisfy { headers.contains($0) }
    }

    /// The variant of the scheme the headers call for: the legacy header's when it is the only one present.
    func fitted(to headers: HeaderList) -> SchemeDefinition {
        guard let legacy, !self.headers.contains(where: { headers.contains($0.signature) }),
            headers.contains(legacy.header)
        else { return self }
        var fitted = self
        fitted.algorithm = legacy.algorithm
        fitted.format = .plain(prefix: legacy.prefix)
        fitted.headers = [SchemeHeaders(signature: legacy.header)]
        fitted.legacy = nil
        fitted.signerAddsLegacy = false
        fitted.legacyFitOf = self.headers[0].signature
        return fitted
    }

    /// nil when the request carries no signature header (or body member) for this scheme.
    func read(_ headers: HeaderList, body: [UInt8] = []) -> SignatureReading? {
        if let bodySignature { return bodySignature.reading(body) }
        for family in self.headers {
            guard let value = headers.first(family.signature) else { continue }
            var reading = SignatureReading(header: family.signature, received: value, signatures: signatures(in: value))
            if let source = family.timestamp {
                let pairs = KeyValueList(value, separator: format.keyValueSeparator ?? ",")
                switch source {
                case .header(let name): reading.timestamp = headers.first(name)?.trimmingSpaces()
                case .field(let field): reading.timestamp = pairs.values(field).first
                }
                reading.timestampHeader = family.timestampHeaderLabel
                if reading.timestamp == nil {
                    var warning: SignatureFinding
                    switch source {
                    case .header(let name): warning = .timestampAbsent(header: name)
                    case .field(let field): warning = .timestampAbsent(header: family.signature, field: field)
                    }
                    warning.provider = timestampProvider
                    reading.warnings.append(warning)
                }
            }
            if let id = family.id {
                reading.messageID = self.headers.lazy.compactMap { $0.id.flatMap { headers.first($0) } }.first
                if !headers.contains(id) {
                    var warning = SignatureFinding(.messageIDAbsent)
                    warning.header = id
                    reading.warnings.append(warning)
                }
            }
            if let current = legacyFitOf {
                var warning = SignatureFinding(.legacyHeaderOnly)
                warning.header = family.signature
                warning.algorithm = algorithm
                warning.provider = provider
                warning.expectedHeader = current
                reading.warnings.append(warning)
            }
            return reading
        }
        return nil
    }

    private func signatures(in value: String) -> [String] {
        switch format {
        case .plain(let prefix):
            let trimmed = value.trimmingSpaces()
            guard !prefix.isEmpty else { return [trimmed] }
            guard trimmed.lowercased().hasPrefix(prefix.lowercased()) else { return [] }
            return [String(trimmed.dropFirst(prefix.count))]
        case .keyValue(let separator, let key):
            return KeyValueList(value, separator: separator).values(key)
        case .list(let separator, let prefix):
            return value.split(separator: separator).compactMap { item in
                let item = item.trimmingSpaces()
                return item.hasPrefix(prefix) ? String(item.dropFirst(prefix.count)) : nil
            }
        }
    }
}

extension SignatureFormat {
    var keyValueSeparator: Character? {
        if case .keyValue(let separator, _) = self { return separator }
        return nil
    }
}

// MARK: - The signed message

extension SchemeDefinition {
    func key(secret: String) -> [UInt8]? { key.key(secret: secret) }

    /// Whether a configured secret cannot key this scheme's HMAC at all (reported as `secret_unusable`).
    func keyIsUnusable(secret: String) -> Bool { key(secret: secret) == nil }

    /// Whether a request of `method` is signed over `undefined` in place of its body.
    func signsUndefined(method: String) -> Bool {
        let upper = method.uppercased()
        return undefinedBodyMethods.contains(upper)
    }

    /// Whether the body is form parameters that go into the signed message (Twilio), rather than being covered by
    /// the URL's body-hash parameter.
    func signsFormParameters(_ parts: SignedParts) -> Bool {
        guard let url = parts.url else { return false }
        if let parameter = bodyHashQueryParameter, FormParameters.value(of: parameter, inQueryOf: url) != nil {
            return false
        }
        guard parts.method.uppercased() != "GET" else { return false }
        if let contentType = parts.contentType?.lowercased() {
            return contentType.contains("application/x-www-form-urlencoded")
        }
        let first = parts.body.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        return first != UInt8(ascii: "{") && first != UInt8(ascii: "[")
    }

    func message(_ parts: SignedParts) -> [UInt8] {
        var message: [UInt8] = []
        for part in signed {
            switch part {
            case .literal(let text): message += text.utf8
            case .body: message += signsUndefined(method: parts.method) ? "undefined".bytes : parts.body
            case .timestamp: message += (parts.timestamp ?? "").utf8
            case .id: message += (parts.messageID ?? "").utf8
            case .url: message += (parts.url ?? "").utf8
            case .method: message += parts.method.utf8
            case .sortedFormParameters:
                guard signsFormParameters(parts) else { continue }
                for (name, value) in FormParameters.decode(parts.body).sortedForTwilio() {
                    message += name
                    message += value
                }
            }
        }
        return message
    }

    /// What the message is made of, for a diagnosis that found nothing.
    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        let family = headers[0]
        return signed.map { part in
            switch part {
            case .literal(let text): return .literal(text)
            case .body:
                return signsUndefined(method: parts.method)
                    ? SignatureFinding.MessagePart(.undefinedBody, method: parts.method)
                    : .rawBody(size: parts.body.count)
            case .timestamp:
                switch family.timestamp {
                case .field(let field):
                    return SignatureFinding.MessagePart(
                        .headerValue, header: family.signature, field: field, value: parts.timestamp ?? "")
                case .header(let name):
                    return SignatureFinding.MessagePart(.headerValue, header: name, value: parts.timestamp ?? "")
                case nil:
                    return SignatureFinding.MessagePart(.headerValue, value: parts.timestamp ?? "")
                }
            case .id: return SignatureFinding.MessagePart(.headerValue, header: family.id, value: parts.messageID ?? "")
            case .url: return SignatureFinding.MessagePart(.url, value: parts.url ?? "")
            case .method: return .literal(parts.method)
            case .sortedFormParameters:
                return signsFormParameters(parts)
                    ? SignatureFinding.MessagePart(.sortedFormParameters, size: FormParameters.decode(parts.body).count)
                    : SignatureFinding.MessagePart(.bodyCoveredByQueryHash)
            }
        }
    }
}

// MARK: - What the verifier and the diagnosis ask beyond the message

extension SchemeDefinition {
    /// Another scheme that hashes with `algorithm`, worth suggesting when it matches (Front rule ↔ app).
    func suggestedScheme(for algorithm: DigestAlgorithm) -> String? { siblings[algorithm] }

    /// The request as signed under the other side of a method rule (Front's `undefined`), with the finding it makes.
    func methodVariant(_ parts: SignedParts) -> (parts: SignedParts, code: SignatureFinding.Code)? {
        guard !undefinedBodyMethods.isEmpty, signed.contains(.body) else { return nil }
        var varied = parts
        if signsUndefined(method: parts.method) {
            varied.method = "POST"
            return (varied, .bodySignedInsteadOfUndefined)
        }
        varied.method = undefinedBodyMethods[0]
        return (varied, .undefinedSignedInsteadOfBody)
    }

    /// The forms of the signed URL a valid signature may cover.
    func urlForms(_ url: SignedURL) -> [SignedURL] {
        acceptsURLWithOrWithoutPort ? [url, url.withoutPort, url.withDefaultPort] : [url]
    }

    /// What a matching signature leaves unchecked and the body contradicts (Twilio's `bodySHA256`).
    func uncoveredBody(_ parts: SignedParts) -> SignatureFinding? {
        guard let parameter = bodyHashQueryParameter, let url = parts.url,
            let claimed = FormParameters.value(of: parameter, inQueryOf: url)
        else { return nil }
        let actual = DigestHasher.digest(.sha256, parts.body).hexString
        guard claimed.lowercased() != actual else { return nil }
        var finding = SignatureFinding(.bodyHashMismatch)
        finding.bodySHA256 = actual
        finding.claimedBodySHA256 = claimed
        return finding
    }

    /// The header lines a sender adds, given the encoded signature (prefix included), in the first family's names.
    func headers(signature: String, parts: SignedParts) -> HeaderList {
        let family = headers[0]
        var lines: [(String, String)] = []
        if let id = family.id { lines.append((id, parts.messageID ?? "")) }
        var value = signature
        switch family.timestamp {
        case .header(let name): lines.append((name, parts.timestamp ?? ""))
        case .field(let field):
            let separator = format.keyValueSeparator.map { String($0) } ?? ","
            value = "\(field)=\(parts.timestamp ?? "")\(separator)\(signature)"
        case nil: break
        }
        lines.append((family.signature, value))
        return HeaderList(lines)
    }
}

extension SignatureFinding {
    /// The timestamp a scheme signs is absent from `header` (or from its `field`).
    static func timestampAbsent(header: String, field: String? = nil) -> SignatureFinding {
        var finding = SignatureFinding(.timestampAbsent)
        finding.header = header
        finding.field = field
        return finding
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
